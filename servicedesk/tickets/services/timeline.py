"""Messages on the timeline: replies with their files and the images shown in their text."""

from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError

from .. import status as lifecycle
from ..models import Attachment, EntryKind, Ticket, TimelineEntry
from ..permissions import NOT_A_PARTICIPANT, role_on_ticket
from ..richtext import clean_html, text_to_html
from ..uploads import CheckedUpload
from .attachments import attachments_store, files_removed_on_failure
from .transitions import transition_apply

MESSAGE_EMPTY = "Escreva uma mensagem antes de adicionar."


def ticket_reply(
    *, actor: User, ticket: Ticket, body: str, body_format: str, files: list[CheckedUpload]
) -> TimelineEntry:
    """A public message on the ticket. When the ticket waits on its requester and the
    requester replies, it goes back to the team as the lifecycle table says."""
    clean = (
        clean_html(body, ticket_number=ticket.number)
        if body_format == "html"
        else text_to_html(body)
    )
    if clean.is_empty:
        raise ApplicationError(MESSAGE_EMPTY, field="body")
    with files_removed_on_failure() as stored, transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        role = role_on_ticket(actor, ticket)
        if role is None:
            raise ApplicationError(NOT_A_PARTICIPANT)
        if role == lifecycle.Role.REQUESTER:
            answers_request = ticket.state == lifecycle.WAITING_ON_REQUESTER
            event = (
                lifecycle.Event.REQUESTER_REPLY
                if answers_request
                else lifecycle.Event.REQUESTER_COMMENT
            )
        else:
            event = lifecycle.Event.AGENT_REPLY
        now = timezone.now()
        entry = TimelineEntry.objects.create(
            ticket=ticket,
            kind=EntryKind.MESSAGE,
            actor=actor,
            body_html=clean.html,
            body_text=clean.text,
        )
        transition_apply(ticket=ticket, event=event, role=role, actor=actor, now=now)
        # Only the author's own pasted images, not yet part of another message.
        Attachment.objects.filter(
            ticket=ticket,
            pk__in=clean.image_ids,
            entry__isnull=True,
            is_inline=True,
            uploaded_by=actor,
        ).update(entry=entry)
        attachments_store(ticket=ticket, entry=entry, files=files, actor=actor, stored=stored)
        ticket.last_interaction_at = now
        ticket.save(update_fields=["status", "waiting_on", "last_interaction_at", "updated_at"])
    return entry
