"""Storing checked uploads: rows and files together, and no stray file when a write fails."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.db import transaction

from servicedesk.accounts.models import User

from ..models import Attachment, Ticket, TimelineEntry, attachment_path
from ..uploads import CheckedUpload, check_upload

logger = logging.getLogger(__name__)


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Yields a list to record stored file names; if the block fails, those files are deleted
    (the database rows roll back with the transaction, the files would not)."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not delete %s after a failed write", name)
        raise


def attachments_store(
    *,
    ticket: Ticket,
    entry: TimelineEntry | None,
    files: list[CheckedUpload],
    actor: User,
    stored: list[str],
    is_inline: bool = False,
) -> list[Attachment]:
    """Write the files under random names and create their rows. Call inside a transaction
    and a files_removed_on_failure() block."""
    attachments = []
    for checked in files:
        name = default_storage.save(attachment_path(None, checked.name), checked.upload)
        stored.append(name)
        attachments.append(
            Attachment(
                ticket=ticket,
                entry=entry,
                file=name,
                original_name=checked.name,
                size=checked.size,
                content_type=checked.content_type,
                sha256=checked.sha256,
                uploaded_by=actor,
                is_inline=is_inline,
            )
        )
    return Attachment.objects.bulk_create(attachments)


def inline_image_add(*, actor: User, ticket: Ticket, upload) -> Attachment:
    """An image pasted or dropped into a message, stored at once so the text can show it.
    It belongs to nobody's message until the message is posted (see timeline.ticket_reply)."""
    checked = check_upload(upload, images_only=True)
    with files_removed_on_failure() as stored, transaction.atomic():
        (attachment,) = attachments_store(
            ticket=ticket, entry=None, files=[checked], actor=actor, stored=stored, is_inline=True
        )
    return attachment
