"""Solutions: an agent proposes, the ticket's requester approves or refuses, and may reopen
a resolved ticket within the reopening period."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError
from servicedesk.core.submissions import SubmissionKey, submission_claim

from .. import notifications as notify
from .. import status as lifecycle
from ..models import EntryKind, Solution, SolutionStatus, Ticket, TimelineEntry
from ..richtext import clean_body
from ..uploads import CheckedUpload
from .assignment import assign_author_if_unassigned
from .attachments import files_removed_on_failure
from .timeline import attach_to_entry, required_body
from .transitions import Action, ensure_allowed, lock_for_action, transition_apply

SOLUTION_EMPTY = "Descreva a solução antes de enviar."
REFUSAL_COMMENT_REQUIRED = "Explique por que a solução não resolveu o seu problema."
REOPEN_COMMENT_REQUIRED = "Explique por que o chamado precisa ser reaberto."
REOPEN_TOO_LATE = "O prazo de {days} dias para reabrir este chamado terminou. Abra um novo chamado."
NO_PENDING_SOLUTION = "Não há solução aguardando validação neste chamado."


def solution_propose(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    body_format: str,
    files: list[CheckedUpload] = (),
    submission: SubmissionKey | None = None,
) -> Solution:
    """A repeat of the same `submission` (core/submissions.py) returns the first one's
    solution; the decisions and the reopening below return the first one's entry."""
    clean = required_body(body, body_format, ticket, SOLUTION_EMPTY)
    with files_removed_on_failure() as stored, transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        ensure_allowed(action, lifecycle.Event.PROPOSE_SOLUTION)
        assign_author_if_unassigned(action)
        entry = transition_apply(
            action, lifecycle.Event.PROPOSE_SOLUTION, kind=EntryKind.SOLUTION, body=clean
        )
        attach_to_entry(action, entry, clean, files, stored)
        notify.solution_proposed(action.ticket, entry)
        solution = Solution.objects.create(ticket=action.ticket, entry=entry, author=actor)
        return claim.record(solution)


def _pending_solution(action: Action) -> Solution:
    solution = (
        Solution.objects.select_for_update()
        .filter(ticket=action.ticket, status=SolutionStatus.PENDING)
        .first()
    )
    if solution is None:
        raise ApplicationError(NO_PENDING_SOLUTION)
    return solution


def _decide(
    *,
    actor: User,
    ticket: Ticket,
    event: lifecycle.Event,
    kind: str,
    outcome: str,
    comment: str,
    body_format: str,
    files,
    required_message: str | None,
    submission: SubmissionKey | None,
) -> TimelineEntry:
    clean = clean_body(comment, body_format=body_format, ticket_number=ticket.number)
    if required_message and clean.is_empty:
        raise ApplicationError(required_message, field="body")
    with files_removed_on_failure() as stored, transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        # Checked first, so that an agent trying to approve hears "no permission".
        ensure_allowed(action, event)
        solution = _pending_solution(action)
        entry = transition_apply(
            action, event, kind=kind, body=clean, payload={"solution": solution.pk}
        )
        attach_to_entry(action, entry, clean, files, stored)
        solution.status = outcome
        solution.decided_at = action.now
        solution.decision_entry = entry
        solution.save(update_fields=["status", "decided_at", "decision_entry", "updated_at"])
        approved = event == lifecycle.Event.APPROVE
        notify.solution_decided(action.ticket, entry, solution, approved=approved)
        return claim.record(entry)


def solution_approve(
    *,
    actor: User,
    ticket: Ticket,
    comment: str = "",
    body_format: str = "text",
    files: list[CheckedUpload] = (),
    submission: SubmissionKey | None = None,
) -> TimelineEntry:
    """Only the ticket's requester: never an agent, not even a supervisor on their behalf."""
    return _decide(
        actor=actor,
        ticket=ticket,
        event=lifecycle.Event.APPROVE,
        kind=EntryKind.APPROVAL,
        outcome=SolutionStatus.APPROVED,
        comment=comment,
        body_format=body_format,
        files=files,
        required_message=None,
        submission=submission,
    )


def solution_refuse(
    *,
    actor: User,
    ticket: Ticket,
    comment: str,
    body_format: str = "text",
    files: list[CheckedUpload] = (),
    submission: SubmissionKey | None = None,
) -> TimelineEntry:
    """The comment is mandatory; the ticket goes back to the team ("em atendimento")."""
    return _decide(
        actor=actor,
        ticket=ticket,
        event=lifecycle.Event.REFUSE,
        kind=EntryKind.REFUSAL,
        outcome=SolutionStatus.REFUSED,
        comment=comment,
        body_format=body_format,
        files=files,
        required_message=REFUSAL_COMMENT_REQUIRED,
        submission=submission,
    )


def reopen_deadline(ticket: Ticket):
    return ticket.resolved_at + timedelta(days=settings.PORTAL_REOPEN_DAYS)


def ticket_reopen(
    *,
    actor: User,
    ticket: Ticket,
    comment: str,
    body_format: str = "text",
    files: list[CheckedUpload] = (),
    submission: SubmissionKey | None = None,
) -> TimelineEntry:
    """A resolved ticket back to the team, with a mandatory comment, within REOPEN_DAYS."""
    clean = required_body(comment, body_format, ticket, REOPEN_COMMENT_REQUIRED)
    with files_removed_on_failure() as stored, transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        ensure_allowed(action, lifecycle.Event.REOPEN)
        if action.ticket.resolved_at and action.now > reopen_deadline(action.ticket):
            raise ApplicationError(REOPEN_TOO_LATE.format(days=settings.PORTAL_REOPEN_DAYS))
        entry = transition_apply(
            action, lifecycle.Event.REOPEN, kind=EntryKind.REOPENING, body=clean
        )
        attach_to_entry(action, entry, clean, files, stored)
        notify.ticket_reopened(action.ticket, entry)
        return claim.record(entry)
