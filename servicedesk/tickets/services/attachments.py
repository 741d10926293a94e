"""Storing checked uploads: rows and files together, and no stray file when a write fails."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.db import transaction

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError

from ..models import Attachment, Ticket, TimelineEntry, attachment_path
from ..uploads import CheckedUpload, check_upload

logger = logging.getLogger(__name__)

STORAGE_FAILED = (
    "Não foi possível guardar os arquivos agora. Nada foi salvo: tente de novo em alguns "
    "minutos; se o erro continuar, avise a equipe de suporte do SIOP."
)


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


def _save(name: str, checked: CheckedUpload) -> str:
    """Write one file under `name` (random, so new). A write that fails halfway (disk full,
    quota, I/O error) leaves part of the file behind, and Django's storage does not remove
    it: we do. A storage error becomes STORAGE_FAILED for the user (the form keeps what they
    typed; the transaction around rolls back)."""
    try:
        return default_storage.save(name, checked.upload)
    except BaseException as error:
        try:
            if default_storage.exists(name):
                default_storage.delete(name)
        except OSError:
            logger.exception("could not delete the partial file %s", name)
        if isinstance(error, OSError):
            logger.exception("storing %s failed", name)
            raise ApplicationError(STORAGE_FAILED, field="files") from error
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
        stored.append(_save(attachment_path(None, checked.name), checked))
        name = stored[-1]
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
