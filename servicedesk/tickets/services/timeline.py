"""Messages on the timeline: replies, private notes, requests for information, waiting and
resuming. Each is one action on the locked ticket and one timeline entry."""

from django.db import transaction

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError
from servicedesk.core.submissions import SubmissionKey, submission_claim

from .. import notifications as notify
from .. import status as lifecycle
from ..models import Attachment, EntryKind, Ticket, TimelineEntry
from ..richtext import CleanBody, clean_body
from ..uploads import CheckedUpload
from .assignment import assign_author_if_unassigned
from .attachments import attachments_store, files_removed_on_failure
from .transitions import Action, ensure_allowed, lock_for_action, transition_apply

MESSAGE_EMPTY = "Escreva uma mensagem antes de adicionar."
INFO_REQUEST_EMPTY = "Escreva o que o requerente precisa informar."
WAIT_REASON_REQUIRED = "Informe o motivo da espera (por exemplo, de quem se aguarda resposta)."
WAIT_REASON_MAX = 300


def required_body(raw: str, body_format: str, ticket: Ticket, message: str) -> CleanBody:
    clean = clean_body(raw, body_format=body_format, ticket_number=ticket.number)
    if clean.is_empty:
        raise ApplicationError(message, field="body")
    return clean


def attach_to_entry(
    action: Action, entry: TimelineEntry, clean: CleanBody | None, files, stored: list[str]
) -> None:
    """Link the author's own pasted images shown in the text, and store the chosen files."""
    if clean and clean.image_ids:
        Attachment.objects.filter(
            ticket=action.ticket,
            pk__in=clean.image_ids,
            entry__isnull=True,
            is_inline=True,
            uploaded_by=action.actor,
        ).update(entry=entry)
    attachments_store(
        ticket=action.ticket, entry=entry, files=list(files), actor=action.actor, stored=stored
    )


def ticket_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    body_format: str,
    files: list[CheckedUpload] = (),
    submission: SubmissionKey | None = None,
) -> TimelineEntry:
    """A public message. A requester answering a request for information sends the ticket back
    to the team; an agent replying to an unassigned ticket becomes its assignee. A repeat of
    the same `submission` returns the first one's entry (so do the other services here)."""
    clean = required_body(body, body_format, ticket, MESSAGE_EMPTY)
    with files_removed_on_failure() as stored, transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        if action.role == lifecycle.Role.REQUESTER:
            answers_request = action.ticket.state == lifecycle.WAITING_ON_REQUESTER
            event = (
                lifecycle.Event.REQUESTER_REPLY
                if answers_request
                else lifecycle.Event.REQUESTER_COMMENT
            )
        else:
            event = lifecycle.Event.AGENT_REPLY
            ensure_allowed(action, event)  # refuse before assigning
            assign_author_if_unassigned(action)
        entry = transition_apply(action, event, kind=EntryKind.MESSAGE, body=clean)
        attach_to_entry(action, entry, clean, files, stored)
        tell = (
            notify.agent_replied
            if event == lifecycle.Event.AGENT_REPLY
            else notify.requester_replied
        )
        tell(action.ticket, entry)
        return claim.record(entry)


def note_add(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    body_format: str,
    files: list[CheckedUpload] = (),
    submission: SubmissionKey | None = None,
) -> TimelineEntry:
    """A private note: for the team only, never shown to the requester anywhere (and never
    e-mailed to anyone)."""
    clean = required_body(body, body_format, ticket, MESSAGE_EMPTY)
    with files_removed_on_failure() as stored, transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        entry = transition_apply(
            action, lifecycle.Event.PRIVATE_NOTE, kind=EntryKind.NOTE, body=clean, is_private=True
        )
        attach_to_entry(action, entry, clean, files, stored)
        return claim.record(entry)


def information_request(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    body_format: str,
    files: list[CheckedUpload] = (),
    submission: SubmissionKey | None = None,
) -> TimelineEntry:
    """Ask the requester for something: the ticket waits on them (and, after the feedback
    period without an answer, resolves by itself)."""
    clean = required_body(body, body_format, ticket, INFO_REQUEST_EMPTY)
    with files_removed_on_failure() as stored, transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        ensure_allowed(action, lifecycle.Event.REQUEST_INFO)
        assign_author_if_unassigned(action)
        entry = transition_apply(
            action, lifecycle.Event.REQUEST_INFO, kind=EntryKind.MESSAGE, body=clean
        )
        attach_to_entry(action, entry, clean, files, stored)
        notify.information_requested(action.ticket, entry)
        return claim.record(entry)


def third_party_wait(
    *, actor: User, ticket: Ticket, reason: str, submission: SubmissionKey | None = None
) -> TimelineEntry:
    reason = " ".join(reason.split())
    if not reason:
        raise ApplicationError(WAIT_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        entry = transition_apply(
            action,
            lifecycle.Event.WAIT_THIRD_PARTY,
            payload={"reason": reason[:WAIT_REASON_MAX]},
        )
        return claim.record(entry)


def work_resume(
    *, actor: User, ticket: Ticket, submission: SubmissionKey | None = None
) -> TimelineEntry:
    with transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        return claim.record(transition_apply(action, lifecycle.Event.RESUME))


def ticket_close(
    *, actor: User, ticket: Ticket, reason: str = "", submission: SubmissionKey | None = None
) -> TimelineEntry:
    """Supervisors only (the table says so): a final state, read-only from then on."""
    with transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        action = lock_for_action(ticket=ticket, actor=actor)
        payload = {"reason": " ".join(reason.split())[:WAIT_REASON_MAX]} if reason.strip() else {}
        return claim.record(transition_apply(action, lifecycle.Event.CLOSE, payload=payload))
