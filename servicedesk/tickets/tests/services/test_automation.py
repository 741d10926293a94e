import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.surveys.services import survey_answer
from servicedesk.tickets.models import EntryKind, Solution, Ticket, TimelineEntry
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.services.automation import (
    AUTO_APPROVED,
    AUTO_CLOSED,
    AUTO_RESOLVED,
    automatic_transitions_run,
)
from servicedesk.tickets.services.solutions import solution_approve, solution_propose
from servicedesk.tickets.services.timeline import information_request, note_add, ticket_reply
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import TicketFactory

T0 = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))
NOTHING_DONE = {
    "reminded": 0,
    "auto_approved": 0,
    "auto_resolved": 0,
    "closed": 0,
    "submissions_forgotten": 0,
}


@pytest.fixture
def team(db):
    group = SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    group.services.add(subject.service)
    agent = UserFactory()
    group.members.add(agent)
    return subject, agent


def ticket_with_solution(team, at=T0):
    subject, agent = team
    ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
    with time_machine.travel(at, tick=False):
        solution_propose(actor=agent, ticket=ticket, body="Feito.", body_format="text")
    return ticket


def run_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return automatic_transitions_run(**kwargs)


def kinds(ticket):
    return list(TimelineEntry.objects.filter(ticket=ticket).values_list("kind", flat=True))


@pytest.mark.django_db
class TestPendingSolution:
    def test_day_8_reminder_day_9_nothing_day_10_auto_approved(self, team):
        ticket = ticket_with_solution(team)

        report = run_at(T0 + timedelta(days=8))
        assert report.reminded == 1
        reminder = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.REMINDER)
        assert "será aprovada automaticamente em 12/03/2026" in reminder.body_text
        ticket.refresh_from_db()
        assert ticket.status == Status.TO_VALIDATE
        assert ticket.last_interaction_at == T0  # a reminder is not an interaction

        report = run_at(T0 + timedelta(days=9))
        assert report.as_dict() == NOTHING_DONE

        report = run_at(T0 + timedelta(days=10))
        assert report.auto_approved == 1
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        assert ticket.resolved_at == T0 + timedelta(days=10)
        approval = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.APPROVAL)
        assert approval.actor is None
        assert (
            approval.payload["reason"]
            == "Solução aprovada automaticamente após 10 dias sem interação."
        )
        assert approval.payload["reason"] == AUTO_APPROVED.format(days=10)
        assert Solution.objects.get(ticket=ticket).status == "auto_approved"

    def test_one_second_short_of_ten_days_is_not_yet(self, team):
        ticket = ticket_with_solution(team)
        run_at(T0 + timedelta(days=10) - timedelta(seconds=1))
        ticket.refresh_from_db()
        assert ticket.status == Status.TO_VALIDATE

    def test_a_requester_reply_restarts_the_count_and_the_reminder(self, team):
        ticket = ticket_with_solution(team)
        run_at(T0 + timedelta(days=8))
        with time_machine.travel(T0 + timedelta(days=9), tick=False):
            ticket_reply(
                actor=ticket.requester, ticket=ticket, body="Vou testar.", body_format="text"
            )
        assert run_at(T0 + timedelta(days=10)).auto_approved == 0
        assert run_at(T0 + timedelta(days=17)).reminded == 1  # 8 days after the reply
        assert run_at(T0 + timedelta(days=19)).auto_approved == 1

    def test_the_date_a_reminder_announced_holds_after_a_private_note(self, team):
        """The issue's story: a solution, the reminder on day 8 names 12/03, an agent adds a
        private note and reassigns on day 9; nothing visible to the requester happened, so
        the solution is approved on 12/03 and no second reminder names another date."""
        ticket = ticket_with_solution(team)
        assert run_at(T0 + timedelta(days=8)).reminded == 1
        reminder = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.REMINDER)
        assert "será aprovada automaticamente em 12/03/2026" in reminder.body_text
        _subject, agent = team
        colleague = UserFactory()
        agent.support_groups.first().members.add(colleague)
        with time_machine.travel(T0 + timedelta(days=9), tick=False):
            note_add(actor=agent, ticket=ticket, body="Aguardando o teste.", body_format="text")
            ticket_assign(actor=agent, ticket=ticket, agent=colleague)

        assert run_at(T0 + timedelta(days=9, hours=12)).reminded == 0
        report = run_at(T0 + timedelta(days=10))
        assert report.auto_approved == 1
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        assert timezone.localtime(ticket.resolved_at).strftime("%d/%m/%Y") == "12/03/2026"
        assert TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.REMINDER).count() == 1

    def test_a_public_reply_of_the_team_after_the_reminder_moves_the_date(self, team):
        ticket = ticket_with_solution(team)
        run_at(T0 + timedelta(days=8))
        with time_machine.travel(T0 + timedelta(days=9), tick=False):
            ticket_reply(actor=team[1], ticket=ticket, body="Conseguiu testar?", body_format="text")
        assert run_at(T0 + timedelta(days=10)).auto_approved == 0
        assert run_at(T0 + timedelta(days=17)).reminded == 1
        second = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.REMINDER).last()
        assert "será aprovada automaticamente em 21/03/2026" in second.body_text

    def test_the_setting_changes_the_period(self, team, settings):
        settings.PORTAL_FEEDBACK_DAYS = 3
        ticket = ticket_with_solution(team)
        assert run_at(T0 + timedelta(days=1)).reminded == 1
        assert run_at(T0 + timedelta(days=3)).auto_approved == 1
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED


@pytest.mark.django_db
def test_waiting_on_the_requester_resolves_after_ten_days(team):
    subject, agent = team
    ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
    with time_machine.travel(T0, tick=False):
        information_request(actor=agent, ticket=ticket, body="Qual UO?", body_format="text")
    assert run_at(T0 + timedelta(days=8)).reminded == 1
    assert (
        "será resolvido automaticamente"
        in TimelineEntry.objects.get(kind=EntryKind.REMINDER).body_text
    )
    assert run_at(T0 + timedelta(days=10)).auto_resolved == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    change = TimelineEntry.objects.filter(ticket=ticket).order_by("pk").last()
    assert change.kind == EntryKind.STATUS_CHANGE and change.actor is None
    assert change.payload["reason"] == AUTO_RESOLVED.format(days=10)


@pytest.mark.django_db
def test_waiting_on_third_parties_never_resolves_by_itself(team):
    subject, _agent = team
    ticket = TicketFactory(subject=subject, status=Status.WAITING, waiting_on=WaitingOn.THIRD_PARTY)
    Ticket.objects.filter(pk=ticket.pk).update(last_interaction_at=T0)
    report = run_at(T0 + timedelta(days=60))
    assert report.as_dict() == NOTHING_DONE


@pytest.mark.django_db
def test_resolved_tickets_close_after_the_reopen_window(team):
    ticket = ticket_with_solution(team)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        solution_approve(actor=ticket.requester, ticket=ticket)
    assert run_at(T0 + timedelta(days=10)).closed == 0
    assert run_at(T0 + timedelta(days=10, hours=1)).closed == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    entry = TimelineEntry.objects.filter(ticket=ticket).order_by("pk").last()
    assert entry.payload["reason"] == AUTO_CLOSED.format(days=settings.PORTAL_REOPEN_DAYS)


@pytest.mark.django_db
def test_closing_after_the_reopen_window_keeps_the_resolution_and_the_survey(team):
    ticket = ticket_with_solution(team)
    resolved = T0 + timedelta(hours=1)
    with time_machine.travel(resolved, tick=False):
        solution_approve(actor=ticket.requester, ticket=ticket)
    assert run_at(T0 + timedelta(days=11)).closed == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == T0 + timedelta(days=11)
    assert ticket.resolved_at == resolved
    # The survey stays open for PORTAL_SURVEY_DAYS after the resolution, closed or not.
    with time_machine.travel(T0 + timedelta(days=12), tick=False):
        survey = survey_answer(actor=ticket.requester, ticket=ticket, stars=4)
    assert survey.stars == 4


@pytest.mark.django_db
def test_running_twice_changes_nothing_more(team):
    tickets = [ticket_with_solution(team) for _ in range(3)]
    first = run_at(T0 + timedelta(days=10))
    entries = TimelineEntry.objects.count()
    second = run_at(T0 + timedelta(days=10, minutes=5))
    assert first.auto_approved == 3
    assert second.as_dict() == NOTHING_DONE
    assert TimelineEntry.objects.count() == entries
    assert all(Ticket.objects.get(pk=t.pk).status == Status.RESOLVED for t in tickets)


@pytest.mark.django_db
def test_small_batches_process_everything(team):
    for _ in range(7):
        ticket_with_solution(team)
    assert run_at(T0 + timedelta(days=10), batch_size=2).auto_approved == 7


@pytest.mark.django_db
def test_the_management_command_reports_what_it_did(team, capsys):
    ticket_with_solution(team)
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        call_command("run_automatic_transitions")
    assert "1 solução(ões) aprovada(s)" in capsys.readouterr().out


postgres_only = pytest.mark.skipif(
    not settings.IS_POSTGRESQL, reason="needs PostgreSQL row locks (runs in CI on PostgreSQL)"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_do_each_ticket_once(team):
    tickets = [ticket_with_solution(team) for _ in range(30)]
    barrier = threading.Barrier(2)
    reports = []

    def run():
        try:
            barrier.wait()
            reports.append(automatic_transitions_run(now=T0 + timedelta(days=10), batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(report.auto_approved for report in reports) == 30
    for ticket in tickets:
        assert TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.APPROVAL).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_ticket_locked_by_a_person_is_skipped_and_handled_next_run(team):
    busy, free = ticket_with_solution(team), ticket_with_solution(team)
    locked, release = threading.Event(), threading.Event()

    def person_working():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=person_working)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        report = automatic_transitions_run(now=T0 + timedelta(days=10))
    finally:
        release.set()
        thread.join(timeout=30)
    assert report.auto_approved == 1
    assert Ticket.objects.get(pk=busy.pk).status == Status.TO_VALIDATE
    assert Ticket.objects.get(pk=free.pk).status == Status.RESOLVED
    assert automatic_transitions_run(now=T0 + timedelta(days=10, hours=1)).auto_approved == 1
    assert Ticket.objects.get(pk=busy.pk).status == Status.RESOLVED
