"""The requester's clock (Ticket.last_interaction_at) moves for what the requester did or was
publicly told, never for private notes or reassignments (DESIGN.md section 3), through every
event of the table and through the services people use; and the dates the transitions write
(resolution, closing, first response) survive what should not undo them."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.tickets import status as lc
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import ticket_list_for_requester
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.services.solutions import (
    solution_approve,
    solution_propose,
    ticket_reopen,
)
from servicedesk.tickets.services.timeline import note_add, ticket_close, ticket_reply
from servicedesk.tickets.services.transitions import Action, transition_apply
from servicedesk.tickets.status import Event, Role, Status
from servicedesk.tickets.tests.factories import TicketFactory

from ..test_status import RESTARTS_CLOCK

T0 = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))
LATER = T0 + timedelta(days=3)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    group = SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    group.services.add(subject.service)
    agent, colleague = UserFactory(), UserFactory()
    group.members.add(agent, colleague)
    return subject, agent, colleague


def _cases():
    """Every (event, source state, role) the table allows, except opening (no ticket yet)."""
    for transition in lc.TRANSITIONS:
        if transition.event == Event.OPEN:
            continue
        for state in transition.sources:
            for role in sorted(transition.roles):
                yield pytest.param(
                    transition.event,
                    state,
                    role,
                    id=f"{transition.event}-{lc.state_label(state)}-{role}",
                )


@pytest.mark.parametrize(("event", "state", "role"), list(_cases()))
def test_each_event_from_each_state_restarts_the_clock_or_not(team, event, state, role):
    subject, agent, _ = team
    status, waiting_on = state
    ticket = TicketFactory(
        subject=subject,
        status=status,
        waiting_on=waiting_on or "",
        assigned_agent=agent if status != Status.NEW else None,
    )
    Ticket.objects.filter(pk=ticket.pk).update(last_interaction_at=T0)
    actors = {
        Role.REQUESTER: ticket.requester,
        Role.AGENT: agent,
        Role.SUPERVISOR: UserFactory(is_supervisor=True),
        Role.SYSTEM: None,
    }
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        action = Action(ticket=locked, actor=actors[role], role=role, now=LATER)
        transition_apply(action, event)
    ticket.refresh_from_db()
    assert ticket.last_interaction_at == (LATER if RESTARTS_CLOCK[event] else T0)


def _to_validate(team):
    subject, agent, _ = team
    ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
    with time_machine.travel(T0, tick=False):
        solution_propose(actor=agent, ticket=ticket, body="Feito.", body_format="text")
    ticket.refresh_from_db()
    assert ticket.last_interaction_at == T0
    return ticket


def test_a_private_note_does_not_restart_the_clock(team):
    ticket = _to_validate(team)
    with time_machine.travel(LATER, tick=False):
        note_add(actor=team[1], ticket=ticket, body="Liguei para ele.", body_format="text")
    ticket.refresh_from_db()
    assert ticket.last_interaction_at == T0


def test_a_reassignment_does_not_restart_the_clock(team):
    ticket = _to_validate(team)
    other_group = SupportGroupFactory()
    with time_machine.travel(LATER, tick=False):
        ticket_assign(actor=team[1], ticket=ticket, agent=team[2])
        ticket_assign(actor=team[2], ticket=ticket, group=other_group)
    ticket.refresh_from_db()
    assert (ticket.assigned_agent, ticket.assigned_group) == (None, other_group)
    assert ticket.last_interaction_at == T0


@pytest.mark.parametrize("author", ["agent", "requester"])
def test_a_public_message_restarts_the_clock(team, author):
    ticket = _to_validate(team)
    actor = team[1] if author == "agent" else ticket.requester
    with time_machine.travel(LATER, tick=False):
        ticket_reply(actor=actor, ticket=ticket, body="Alguma novidade?", body_format="text")
    ticket.refresh_from_db()
    assert ticket.last_interaction_at == LATER


def test_meus_chamados_is_not_reordered_by_what_the_requester_cannot_see(team):
    """ "Newest activity first" is the requester's activity: a private note on an older ticket
    must not lift it above a newer one (nor show the note's time as its last update)."""
    subject, agent, _ = team
    requester = UserFactory()
    older = TicketFactory(subject=subject, requester=requester, status=Status.ASSIGNED)
    newer = TicketFactory(subject=subject, requester=requester, status=Status.ASSIGNED)
    Ticket.objects.filter(pk=older.pk).update(last_interaction_at=T0, assigned_agent=agent)
    Ticket.objects.filter(pk=newer.pk).update(last_interaction_at=T0 + timedelta(days=1))
    with time_machine.travel(LATER, tick=False):
        note_add(actor=agent, ticket=older, body="Só a equipe vê.", body_format="text")
        ticket_assign(actor=agent, ticket=older, agent=team[2])
    assert list(ticket_list_for_requester(user=requester)) == [newer, older]
    with time_machine.travel(LATER + timedelta(hours=1), tick=False):
        ticket_reply(actor=team[2], ticket=older, body="Resolvendo.", body_format="text")
    assert list(ticket_list_for_requester(user=requester)) == [older, newer]


# --- The dates the transitions write ------------------------------------------------------------


def _resolved(team):
    ticket = _to_validate(team)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        solution_approve(actor=ticket.requester, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.resolved_at == T0 + timedelta(hours=2)
    assert ticket.first_response_at == T0
    return ticket


def test_a_supervisor_closing_a_resolved_ticket_keeps_its_resolution(team):
    ticket = _resolved(team)
    with time_machine.travel(LATER, tick=False):
        ticket_close(actor=UserFactory(is_supervisor=True), ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == LATER
    assert ticket.resolved_at == T0 + timedelta(hours=2)
    assert ticket.first_response_at == T0


def test_closing_a_ticket_that_was_never_resolved_does_not_resolve_it(team):
    subject, agent, _ = team
    ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
    with time_machine.travel(LATER, tick=False):
        ticket_close(actor=UserFactory(is_supervisor=True), ticket=ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at, ticket.resolved_at) == (Status.CLOSED, LATER, None)


def test_only_reopening_undoes_the_resolution_and_the_next_one_is_dated_anew(team):
    ticket = _resolved(team)
    agent = team[1]
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        ticket_reopen(actor=ticket.requester, ticket=ticket, comment="Voltou a falhar.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == (Status.ASSIGNED, None)
    assert ticket.first_response_at == T0  # the first answer stays the first
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        solution_propose(actor=agent, ticket=ticket, body="Agora sim.", body_format="text")
        solution_approve(actor=ticket.requester, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.resolved_at == T0 + timedelta(days=2)
    assert ticket.first_response_at == T0
