"""Celery tasks of the outbox: thin, safe to run twice (services.py says how)."""

import logging

from celery import shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="outbox.deliver", acks_late=True, ignore_result=True)
def event_deliver_task(
    self,
    *,
    event_id: int | None = None,
    event_ids: list[int] | None = None,
    confirmed: list | None = None,
) -> dict:
    """Deliver one event (`event_id`), or the events of one change in order (`event_ids`).
    Retried with back-off while the database is unreachable (up to
    PORTAL_OUTBOX_DATABASE_RETRIES times; after that the sweep re-queues them), from the
    event it was on, carrying `confirmed` for that event; an event with a delivery that
    failed an attempt it may retry is queued again on its own. Inline (no Redis) it runs
    once: a retry would hold the request, so the sweep takes what is left."""
    eager = self.request.is_eager
    ids = list(event_ids or [event_id])
    totals = {"sent": 0, "skipped": 0, "failed_attempts": 0}
    for index, current in enumerate(ids):
        carried = list(confirmed or []) if index == 0 else []
        try:
            run = services.deliver(current, confirmed=carried)
        except services.Interrupted as interrupted:
            carried += interrupted.confirmed
            if eager:
                logger.error("outbox event %s interrupted inline: %s", current, interrupted.cause)
                return {**totals, "interrupted": True}
            countdown = min(2**self.request.retries, 60)
            logger.warning(
                "outbox event %s: database unavailable (%s), retry in %s s",
                current,
                interrupted.cause,
                countdown,
            )
            raise self.retry(
                kwargs={"event_ids": ids[index:], "confirmed": carried},
                countdown=countdown,
                max_retries=settings.PORTAL_OUTBOX_DATABASE_RETRIES,
                exc=interrupted.cause,
            ) from None
        if run.retry_in is not None and not eager:
            # Not self.retry(): failed attempts are counted per delivery in the database, not
            # in Celery's retry count, so the bound holds across re-queues by the sweep.
            self.apply_async(kwargs={"event_id": current}, countdown=run.retry_in)
        totals["sent"] += run.sent
        totals["skipped"] += run.skipped
        totals["failed_attempts"] += run.failed_attempts
    return totals


@shared_task(name="outbox.sweep", ignore_result=True)
def outbox_sweep_task() -> dict[str, int]:
    return services.sweep().as_dict()
