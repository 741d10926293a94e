"""Opening tickets. The other lifecycle transitions arrive with the desk."""

from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.catalog.models import Subject
from servicedesk.core.errors import ApplicationError
from servicedesk.core.submissions import SubmissionKey, submission_claim

from .. import notifications as notify
from .. import status as lifecycle
from ..models import EntryKind, Ticket, TimelineEntry
from ..uploads import CheckedUpload
from .attachments import attachments_store, files_removed_on_failure

SUBJECT_UNAVAILABLE = "Este assunto não está mais disponível. Escolha outro assunto do card."


def _answers_as_text(answers: list[dict]) -> str:
    return "\n".join(
        f"{answer['label']}: {answer['value']}" for answer in answers if answer["value"]
    )


def ticket_open(
    *,
    actor: User,
    subject: Subject,
    answers: list[dict],
    files: list[CheckedUpload],
    submission: SubmissionKey | None = None,
) -> Ticket:
    """Open a ticket with its answers and files: all of it is saved, or none of it.

    Files are written to storage inside the transaction; if anything fails, the rows roll
    back and the files already written are deleted, so nothing is left behind. A repeat of
    the same `submission` (core/submissions.py) returns the ticket the first one opened.
    """
    if not (subject.is_active and subject.service.is_active):
        raise ApplicationError(SUBJECT_UNAVAILABLE, field="subject")
    status, waiting_on = lifecycle.target_state(
        lifecycle.Event.OPEN, (None, None), lifecycle.Role.REQUESTER
    )
    with files_removed_on_failure() as stored, transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        ticket = Ticket.objects.create(
            requester=actor,
            service=subject.service,
            subject=subject,
            status=status,
            waiting_on=waiting_on or "",
            assigned_group_id=subject.support_group_id,
            answers=answers,
            last_interaction_at=timezone.now(),
        )
        entry = TimelineEntry.objects.create(
            ticket=ticket,
            kind=EntryKind.OPENED,
            actor=actor,
            body_text=_answers_as_text(answers),
            payload={"to": status},
        )
        attachments_store(ticket=ticket, entry=entry, files=files, actor=actor, stored=stored)
        notify.ticket_opened(ticket, entry)
        claim.record(ticket)
    return ticket
