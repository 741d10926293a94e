"""Every ticket action, from every state, by every kind of user: allowed exactly where the
lifecycle table says, with the table's target state and one timeline entry; refused with a
pt-BR message (and nothing written) everywhere else."""

import itertools

import pytest

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import Solution, TimelineEntry
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.services.solutions import (
    solution_approve,
    solution_propose,
    solution_refuse,
    ticket_reopen,
)
from servicedesk.tickets.services.timeline import (
    information_request,
    note_add,
    third_party_wait,
    ticket_close,
    ticket_reply,
    work_resume,
)
from servicedesk.tickets.status import Event, Role
from servicedesk.tickets.tests.factories import TicketFactory
from servicedesk.tickets.tests.test_status import EXPECTED, SAME, WR, WT, A, C, N, R, V

pytestmark = pytest.mark.django_db

TEXT = {"body": "<p>Texto</p>", "body_format": "html"}
COMMENT = {"comment": "<p>Comentário</p>", "body_format": "html"}

# action name -> (call, event for a requester, event for an agent)
ACTIONS = {
    "assign": (
        lambda u, t, w: ticket_assign(actor=u, ticket=t, agent=w["other_agent"]),
        None,
        "assign",
    ),
    "reply": (lambda u, t, w: ticket_reply(actor=u, ticket=t, **TEXT), "reply", Event.AGENT_REPLY),
    "note": (lambda u, t, w: note_add(actor=u, ticket=t, **TEXT), None, Event.PRIVATE_NOTE),
    "request_info": (
        lambda u, t, w: information_request(actor=u, ticket=t, **TEXT),
        None,
        Event.REQUEST_INFO,
    ),
    "wait": (
        lambda u, t, w: third_party_wait(actor=u, ticket=t, reason="SERPRO"),
        None,
        Event.WAIT_THIRD_PARTY,
    ),
    "resume": (lambda u, t, w: work_resume(actor=u, ticket=t), None, Event.RESUME),
    "propose": (
        lambda u, t, w: solution_propose(actor=u, ticket=t, **TEXT),
        None,
        Event.PROPOSE_SOLUTION,
    ),
    "approve": (
        lambda u, t, w: solution_approve(actor=u, ticket=t, **COMMENT),
        Event.APPROVE,
        Event.APPROVE,
    ),
    "refuse": (
        lambda u, t, w: solution_refuse(actor=u, ticket=t, **COMMENT),
        Event.REFUSE,
        Event.REFUSE,
    ),
    "reopen": (
        lambda u, t, w: ticket_reopen(actor=u, ticket=t, **COMMENT),
        Event.REOPEN,
        Event.REOPEN,
    ),
    "close": (lambda u, t, w: ticket_close(actor=u, ticket=t), Event.CLOSE, Event.CLOSE),
}
USERS = ["requester", "other_requester", "group_agent", "other_group_agent", "supervisor"]
ROLE_OF = {"requester": Role.REQUESTER, "group_agent": Role.AGENT, "supervisor": Role.SUPERVISOR}
STATES = {
    "new": N,
    "assigned": A,
    "waiting_requester": WR,
    "waiting_third": WT,
    "to_validate": V,
    "resolved": R,
    "closed": C,
}


@pytest.fixture
def world():
    group, other_group = SupportGroupFactory(), SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    group.services.add(subject.service)
    agent, other_agent, outsider = UserFactory(), UserFactory(), UserFactory()
    group.members.add(agent, other_agent)
    other_group.members.add(outsider)
    return {
        "subject": subject,
        "group_agent": agent,
        "other_agent": other_agent,
        "other_group_agent": outsider,
        "supervisor": UserFactory(is_supervisor=True),
        "requester": UserFactory(),
        "other_requester": UserFactory(),
    }


def make_ticket(world, state):
    status, waiting_on = state
    ticket = TicketFactory(
        requester=world["requester"],
        subject=world["subject"],
        status=status,
        waiting_on=waiting_on or "",
        assigned_agent=None if status == "new" else world["group_agent"],
    )
    if state == V:
        entry = TimelineEntry.objects.create(
            ticket=ticket, kind="solution", actor=world["group_agent"]
        )
        Solution.objects.create(ticket=ticket, entry=entry, author=world["group_agent"])
    if state == R:
        from django.utils import timezone

        ticket.resolved_at = timezone.now()
        ticket.save()
    return ticket


def event_for(action, user_name, state):
    _, requester_event, agent_event = ACTIONS[action]
    event = requester_event if user_name == "requester" else agent_event
    if event == "reply":
        return Event.REQUESTER_REPLY if state == WR else Event.REQUESTER_COMMENT
    if event == "assign":
        return Event.ASSIGN if state == N else Event.REASSIGN
    return event


def expected_target(action, user_name, state):
    role = ROLE_OF.get(user_name)
    event = event_for(action, user_name, state)
    if role is None or event is None:
        return None
    target = EXPECTED[event].get((state, role))
    if target is None:
        return None
    if target == SAME:
        # An agent acting on a new, unassigned ticket becomes its assignee first.
        if state == N and role != Role.REQUESTER and event in (Event.AGENT_REPLY,):
            return A
        return state
    return target


@pytest.mark.parametrize(
    ("action", "user_name", "state_name"),
    list(itertools.product(ACTIONS, USERS, STATES)),
    ids=lambda v: str(v),
)
def test_action(world, action, user_name, state_name):
    state = STATES[state_name]
    ticket = make_ticket(world, state)
    entries_before = TimelineEntry.objects.filter(ticket=ticket).count()
    expected = expected_target(action, user_name, state)
    call = ACTIONS[action][0]
    if expected is None:
        with pytest.raises(ApplicationError) as refused:
            call(world[user_name], ticket, world)
        assert refused.value.message  # a sentence for the user, in pt-BR
        ticket.refresh_from_db()
        assert ticket.state == state
        assert TimelineEntry.objects.filter(ticket=ticket).count() == entries_before
    else:
        call(world[user_name], ticket, world)
        ticket.refresh_from_db()
        assert ticket.state == expected
        written = TimelineEntry.objects.filter(ticket=ticket).count() - entries_before
        implicit_assignment = (
            state == N
            and user_name != "requester"
            and action in ("reply", "request_info", "propose")
        )
        assert written == (2 if implicit_assignment else 1)
