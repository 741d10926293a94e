"""The automatic transitions of the lifecycle, run every hour by Celery beat or cron.

Safe to run twice, after a crash, or twice at the same time: candidates are locked with
SKIP LOCKED in small batches, so two runs split the work and a ticket that a person is
changing right now is left for the next run. Each change writes a system entry saying why.
"""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import formats, timezone

from servicedesk.core.submissions import submissions_forget_expired

from .. import notifications as notify
from .. import status as lifecycle
from ..models import EntryKind, Solution, SolutionStatus, Ticket, TimelineEntry
from .transitions import Action, transition_apply

logger = logging.getLogger(__name__)

AUTO_APPROVED = "Solução aprovada automaticamente após {days} dias sem interação."
AUTO_RESOLVED = "Chamado resolvido automaticamente após {days} dias sem resposta do requerente."
AUTO_CLOSED = "Chamado fechado automaticamente após {days} dias resolvido."
REMINDER_SOLUTION = (
    "Lembrete: a solução proposta será aprovada automaticamente em {date} se não houver "
    "resposta. Aprove ou recuse a solução para concluir o atendimento."
)
REMINDER_INFORMATION = (
    "Lembrete: o chamado será resolvido automaticamente em {date} se a informação pedida "
    "não for enviada."
)


@dataclass
class AutomationReport:
    reminded: int = 0
    auto_approved: int = 0
    auto_resolved: int = 0
    closed: int = 0
    # Housekeeping of the same hourly job: records of form submissions whose tokens expired.
    submissions_forgotten: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _waiting_for_feedback() -> Q:
    return Q(status=lifecycle.Status.TO_VALIDATE) | Q(
        status=lifecycle.Status.WAITING, waiting_on=lifecycle.WaitingOn.REQUESTER
    )


def _in_batches(
    candidates: QuerySet[Ticket], handle: Callable[[Ticket], bool], batch_size: int
) -> int:
    """Lock up to `batch_size` candidates at a time (skipping rows someone else holds) and
    handle each in a savepoint, so one failing ticket does not undo the others."""
    changed, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                candidates.filter(pk__gt=last_pk)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return changed
            for ticket in batch:
                last_pk = ticket.pk
                try:
                    with transaction.atomic():
                        changed += handle(ticket)
                except Exception:  # a broken ticket must not stop the job for all others
                    logger.exception("automatic transition failed for ticket %s", ticket.pk)


def _system_action(ticket: Ticket, now: datetime) -> Action:
    return Action(ticket=ticket, actor=None, role=lifecycle.Role.SYSTEM, now=now)


def _auto_resolve(ticket: Ticket, now: datetime, report: AutomationReport) -> bool:
    days = settings.PORTAL_FEEDBACK_DAYS
    action = _system_action(ticket, now)
    if ticket.status == lifecycle.Status.TO_VALIDATE:
        solution = (
            Solution.objects.select_for_update()
            .filter(ticket=ticket, status=SolutionStatus.PENDING)
            .first()
        )
        reason = AUTO_APPROVED.format(days=days)
        entry = transition_apply(
            action,
            lifecycle.Event.AUTO_RESOLVE,
            kind=EntryKind.APPROVAL,
            payload={"reason": reason, "solution": solution.pk if solution else None},
        )
        if solution is not None:
            solution.status = SolutionStatus.AUTO_APPROVED
            solution.decided_at = now
            solution.decision_entry = entry
            solution.save(update_fields=["status", "decided_at", "decision_entry", "updated_at"])
        report.auto_approved += 1
    else:
        entry = transition_apply(
            action,
            lifecycle.Event.AUTO_RESOLVE,
            payload={"reason": AUTO_RESOLVED.format(days=days)},
        )
        report.auto_resolved += 1
    notify.ticket_auto_resolved(ticket, entry)
    return True


def _auto_close(ticket: Ticket, now: datetime, report: AutomationReport) -> bool:
    reason = AUTO_CLOSED.format(days=settings.PORTAL_REOPEN_DAYS)
    transition_apply(
        _system_action(ticket, now), lifecycle.Event.AUTO_CLOSE, payload={"reason": reason}
    )
    report.closed += 1
    return True


def _remind(ticket: Ticket, now: datetime, report: AutomationReport) -> bool:
    """A public system entry two days before the automatic resolution. It is not an
    interaction: it neither restarts the count nor changes the status."""
    due = ticket.last_interaction_at + timedelta(days=settings.PORTAL_FEEDBACK_DAYS)
    date = formats.date_format(timezone.localtime(due), "d/m/Y")
    template = (
        REMINDER_SOLUTION if ticket.status == lifecycle.Status.TO_VALIDATE else REMINDER_INFORMATION
    )
    text = template.format(date=date)
    entry = TimelineEntry.objects.create(
        ticket=ticket,
        kind=EntryKind.REMINDER,
        body_html=f"<p>{text}</p>",
        body_text=text,
        payload={"due": due.isoformat()},
    )
    ticket.reminder_sent_at = now
    ticket.save(update_fields=["reminder_sent_at", "updated_at"])
    notify.auto_resolution_reminder(ticket, entry)
    report.reminded += 1
    return True


def automatic_transitions_run(
    *, now: datetime | None = None, batch_size: int = 200
) -> AutomationReport:
    """Auto-approve or resolve after FEEDBACK_DAYS without interaction, close after
    REOPEN_DAYS resolved, and remind REMINDER_DAYS_BEFORE an automatic resolution; then
    forget the expired records of form submissions (core/submissions.py)."""
    now = now or timezone.now()
    report = AutomationReport()
    feedback = timedelta(days=settings.PORTAL_FEEDBACK_DAYS)
    reminder = feedback - timedelta(days=settings.PORTAL_REMINDER_DAYS_BEFORE)
    resolve_before = now - feedback
    tickets = Ticket.objects.all()

    _in_batches(
        tickets.filter(_waiting_for_feedback(), last_interaction_at__lte=resolve_before),
        lambda ticket: _auto_resolve(ticket, now, report),
        batch_size,
    )
    _in_batches(
        tickets.filter(
            status=lifecycle.Status.RESOLVED,
            resolved_at__lte=now - timedelta(days=settings.PORTAL_REOPEN_DAYS),
        ),
        lambda ticket: _auto_close(ticket, now, report),
        batch_size,
    )
    _in_batches(
        tickets.filter(
            _waiting_for_feedback(),
            last_interaction_at__lte=now - reminder,
            last_interaction_at__gt=resolve_before,
        ).filter(
            Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lt=F("last_interaction_at"))
        ),
        lambda ticket: _remind(ticket, now, report),
        batch_size,
    )
    report.submissions_forgotten = submissions_forget_expired(now=now)
    logger.info("automatic transitions: %s", report.as_dict())
    return report
