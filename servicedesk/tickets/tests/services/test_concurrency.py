"""Two people acting on one ticket at the same moment: the row lock serialises them, so the
second sees the first one's result and is refused, instead of both succeeding."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.core.errors import ApplicationError
from servicedesk.tickets.models import EntryKind, Solution, TimelineEntry
from servicedesk.tickets.services import solutions
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.IS_POSTGRESQL,
        reason="needs PostgreSQL row locks and two real connections (runs in CI on PostgreSQL)",
    ),
]


def run_together(*calls):
    """Start the calls in threads (each with its own database connection) at once."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def worker(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except ApplicationError as error:
            results.append(error.message)
        except Exception as error:  # reported, so a crash fails the test visibly
            results.append(f"crash: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def test_two_agents_proposing_a_solution_at_once_leave_one_solution(monkeypatch):
    group = SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    group.services.add(subject.service)
    first, second = UserFactory(), UserFactory()
    group.members.add(first, second)
    ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=first)

    # Widen the window between the check and the write, as a slow request would: without the
    # row lock both proposals would pass the check and both be written.
    real = solutions.assign_author_if_unassigned

    def slow(action):
        time.sleep(0.3)
        return real(action)

    monkeypatch.setattr(solutions, "assign_author_if_unassigned", slow)

    def propose(agent):
        return lambda: solutions.solution_propose(
            actor=agent, ticket=ticket, body=f"<p>Solução de {agent.pk}</p>", body_format="html"
        )

    results = run_together(propose(first), propose(second))

    assert results == sorted(
        ["ok", "Esta ação não é permitida para um chamado com status “Validar”."]
    )
    assert Solution.objects.filter(ticket=ticket).count() == 1
    assert TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.SOLUTION).count() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.TO_VALIDATE


def test_requester_approving_while_the_supervisor_closes(monkeypatch):
    group = SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    agent = UserFactory()
    group.members.add(agent)
    ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
    solutions.solution_propose(actor=agent, ticket=ticket, body="<p>Feito</p>", body_format="html")
    supervisor = UserFactory(is_supervisor=True)
    from servicedesk.tickets.services.timeline import ticket_close

    results = run_together(
        lambda: solutions.solution_approve(actor=ticket.requester, ticket=ticket),
        lambda: ticket_close(actor=supervisor, ticket=ticket),
    )
    ticket.refresh_from_db()
    # Either order is possible; the state is always a consistent one.
    assert "ok" in results
    assert ticket.status in (Status.RESOLVED, Status.CLOSED)
    if ticket.status == Status.CLOSED and results.count("ok") == 1:
        assert Solution.objects.get(ticket=ticket).status == "pending"
