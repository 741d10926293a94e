"""Celery tasks of the outbox: thin, safe to run twice (services.py says how)."""

import logging

from celery import shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="outbox.deliver", acks_late=True, ignore_result=True)
def event_deliver_task(self, *, event_id: int, confirmed: list | None = None) -> dict:
    """Deliver one event. Retried with back-off while the database is unreachable (up to
    PORTAL_OUTBOX_DATABASE_RETRIES times; after that the sweep re-queues it) and while some
    delivery failed an attempt it may retry. Inline (no Redis) it runs once: a retry would
    hold the request, so the sweep takes what is left."""
    eager = self.request.is_eager
    confirmed = list(confirmed or [])
    try:
        run = services.deliver(event_id, confirmed=confirmed)
    except services.Interrupted as interrupted:
        carried = confirmed + interrupted.confirmed
        if eager:
            logger.error("outbox event %s interrupted inline: %s", event_id, interrupted.cause)
            return {"interrupted": True}
        countdown = min(2**self.request.retries, 60)
        logger.warning(
            "outbox event %s: database unavailable (%s), retry in %s s",
            event_id,
            interrupted.cause,
            countdown,
        )
        raise self.retry(
            kwargs={"event_id": event_id, "confirmed": carried},
            countdown=countdown,
            max_retries=settings.PORTAL_OUTBOX_DATABASE_RETRIES,
            exc=interrupted.cause,
        ) from None
    if run.retry_in is not None and not eager:
        # Not self.retry(): failed attempts are counted per delivery in the database, not in
        # Celery's retry count, so the bound holds across re-queues by the sweep.
        self.apply_async(kwargs={"event_id": event_id}, countdown=run.retry_in)
    return {"sent": run.sent, "skipped": run.skipped, "failed_attempts": run.failed_attempts}


@shared_task(name="outbox.sweep", ignore_result=True)
def outbox_sweep_task() -> dict[str, int]:
    return services.sweep().as_dict()
