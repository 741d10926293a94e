"""Data migrations of the tickets app, run against tickets made by the services."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.solutions import (
    solution_approve,
    solution_propose,
    ticket_reopen,
)
from servicedesk.tickets.services.timeline import ticket_close
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

T0 = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))

restore_resolution = importlib.import_module(
    "servicedesk.tickets.migrations.0009_restore_resolution_of_closed_tickets"
).restore


@pytest.mark.django_db
def test_0009_gives_back_the_resolution_date_the_closing_erased():
    group = SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    agent, supervisor = UserFactory(), UserFactory(is_supervisor=True)
    group.members.add(agent)

    def resolved_ticket(*, reopened: bool = False) -> Ticket:
        ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
        with time_machine.travel(T0, tick=False):
            solution_propose(actor=agent, ticket=ticket, body="Feito.", body_format="text")
        with time_machine.travel(T0 + timedelta(hours=3), tick=False):
            solution_approve(actor=ticket.requester, ticket=ticket)
        if reopened:
            with time_machine.travel(T0 + timedelta(hours=5), tick=False):
                ticket_reopen(actor=ticket.requester, ticket=ticket, comment="Voltou.")
        with time_machine.travel(T0 + timedelta(days=1), tick=False):
            ticket_close(actor=supervisor, ticket=ticket)
        return ticket

    resolved_then_closed = resolved_ticket()
    reopened_then_closed = resolved_ticket(reopened=True)
    # What the old code left behind: the closing cleared the date.
    Ticket.objects.filter(pk=resolved_then_closed.pk).update(resolved_at=None)
    never_resolved = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        ticket_close(actor=supervisor, ticket=never_resolved)

    restore_resolution(apps, None)

    dates = dict(Ticket.objects.values_list("pk", "resolved_at"))
    assert dates[resolved_then_closed.pk] == T0 + timedelta(hours=3)
    assert dates[reopened_then_closed.pk] is None  # reopened, then closed unresolved
    assert dates[never_resolved.pk] is None
