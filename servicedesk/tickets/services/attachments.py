"""Storing checked uploads: rows and files together, and no stray file when a write fails."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

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


INLINE_PENDING_TOO_MANY = (
    "Você já colou {count} imagens em mensagens que ainda não foram enviadas (o limite é "
    "{limit}). Envie essas mensagens ou aguarde: imagens de mensagens não enviadas são "
    "apagadas depois de {hours} horas."
)
INLINE_PENDING_TOO_BIG = (
    "As imagens coladas em mensagens ainda não enviadas já somam mais de {limit} MB. Envie "
    "essas mensagens ou aguarde: imagens de mensagens não enviadas são apagadas depois de "
    "{hours} horas."
)


def _unlinked_inline() -> Q:
    """Pasted images whose message was never posted (attach_to_entry links the others)."""
    return Q(is_inline=True, entry__isnull=True)


def _inline_quota_check(actor: User, size: int) -> None:
    """Refuse (ApplicationError on "image") an upload that would take the actor's unlinked
    pasted images past PORTAL_INLINE_IMAGE_PENDING_MAX images or
    PORTAL_INLINE_IMAGE_PENDING_MAX_MB megabytes. Call in the transaction that stores it, after
    locking the actor's row, so two uploads at once cannot both squeeze in."""
    pending = Attachment.objects.filter(_unlinked_inline(), uploaded_by=actor).aggregate(
        count=Count("pk"), size=Sum("size")
    )
    hours = settings.PORTAL_INLINE_IMAGE_PENDING_HOURS
    limit = settings.PORTAL_INLINE_IMAGE_PENDING_MAX
    if pending["count"] >= limit:
        message = INLINE_PENDING_TOO_MANY.format(count=pending["count"], limit=limit, hours=hours)
        raise ApplicationError(message, field="image")
    limit_mb = settings.PORTAL_INLINE_IMAGE_PENDING_MAX_MB
    if (pending["size"] or 0) + size > limit_mb * 1024 * 1024:
        message = INLINE_PENDING_TOO_BIG.format(limit=limit_mb, hours=hours)
        raise ApplicationError(message, field="image")


def inline_image_add(*, actor: User, ticket: Ticket, upload) -> Attachment:
    """An image pasted or dropped into a message, stored at once so the text can show it.
    It belongs to nobody's message until the message is posted (see timeline.ticket_reply);
    if it never is, inline_images_purge deletes it. Each user may hold a limited number and
    size of such images (settings PORTAL_INLINE_IMAGE_PENDING_*); past it: ApplicationError.
    Who may paste into which ticket is the views' business (requester and desk paths)."""
    checked = check_upload(upload, images_only=True)
    with files_removed_on_failure() as stored, transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
        _inline_quota_check(actor, checked.size)
        (attachment,) = attachments_store(
            ticket=ticket, entry=None, files=[checked], actor=actor, stored=stored, is_inline=True
        )
    return attachment


def inline_images_purge(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Delete the pasted images never linked to a posted message, older than
    PORTAL_INLINE_IMAGE_PENDING_HOURS (24): rows first, files once that has committed.
    Returns how many were deleted. Safe to run twice at once: rows are taken with SKIP LOCKED,
    and the condition is checked again under the lock, so an image whose message is being
    posted at that moment stays."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PORTAL_INLINE_IMAGE_PENDING_HOURS)
    stale = Attachment.objects.filter(_unlinked_inline(), created_at__lt=cutoff)
    deleted, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                stale.filter(pk__gt=last_pk)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "file")[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1][0]
            Attachment.objects.filter(pk__in=[pk for pk, _ in batch]).delete()
            names = [name for _, name in batch]
            transaction.on_commit(lambda names=names: _files_delete(names))
            deleted += len(batch)
    if deleted:
        logger.info("deleted %s pasted images of messages never sent", deleted)
    return deleted


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not delete %s", name)
