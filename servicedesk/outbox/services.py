"""The transactional outbox: what a domain change must tell people is written with the change,
and delivered at least once with an effect that happens once.

Why our own and not a library: the maintained candidates (django-celery-outbox, which
stores Celery task messages and needs its own relay daemon; django-outbox-pattern, over a
STOMP broker; django-reliable-outbox, PostgreSQL-only and without Celery) each solve the
hand-off to the broker, but not the part the portal needs most: the recipients decided in
the transaction and one delivery state per recipient, so that a re-run never e-mails anyone
twice. Kept small, in this one module (docs/outbox.md tells the whole story).

1. record(topic, recipients=[user ids], **data), inside the change's transaction, writes an
   Event and one Delivery per recipient. Who is told is decided there, from the state being
   committed (the app that owns the change decides it: tickets/notifications.py).
2. After the commit, relay() hands the event to Celery (the task `outbox.deliver`); if the
   broker does not take it (down, stalled: the publish is bounded by
   PORTAL_BROKER_TIMEOUT_SECONDS and skipped while the broker's circuit-breaker is open)
   the event stays pending with no due time, and nothing else happens in the request.
3. deliver() runs each pending delivery through the topic's handler, registered by the app
   that renders it (notifications registers the e-mails). A delivery is locked while its
   handler runs and marked in the same transaction, so two workers never both send it; a
   handler error counts one attempt (bounded by PORTAL_OUTBOX_MAX_ATTEMPTS, then the
   delivery is failed and shown in the admin, which can send it again); a database error
   stops the run, which Celery retries with back-off, carrying the deliveries already sent
   but not yet marked (so they are not sent again).
4. sweep(), every PORTAL_OUTBOX_SWEEP_SECONDS (Celery beat, or `manage.py outbox_sweep`),
   re-queues pending events the broker never took or that no worker finished within
   PORTAL_OUTBOX_STALE_SECONDS (a worker killed mid-event), and deletes finished events
   after PORTAL_OUTBOX_KEEP_DAYS days.

Without Redis (CELERY_TASK_ALWAYS_EAGER, `make run`) relay() delivers at once, in the
request, and a failed attempt waits for the next sweep instead of a retry that would hold
the request.
"""

import contextlib
import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from servicedesk.core.breaker import breaker

from .models import Delivery, DeliveryStatus, Event, EventStatus

logger = logging.getLogger(__name__)

# The database is unreachable or dropped the connection: not the delivery's fault, so it
# counts no attempt; the whole run is retried once the database is back.
DATABASE_ERRORS = (OperationalError, InterfaceError)


class Skip(Exception):
    """Raised by a handler when there is nothing to deliver to this recipient, for good (the
    reason is kept on the delivery). Any other exception is a failed attempt."""


Handler = Callable[[Delivery], None]
_handlers: dict[str, Handler] = {}


def register(topic: str, handler: Handler) -> None:
    """Deliver `topic`'s events with `handler(delivery)`, called once per recipient with
    delivery.event and delivery.recipient loaded. It must be safe to call again for the same
    delivery after a crash (e-mails: the Message-ID is derived from the delivery)."""
    _handlers[topic] = handler


def record(topic: str, *, recipients: Iterable[int], **data) -> Event | None:
    """Write an event and its deliveries in the current transaction (call it inside the
    change's transaction.atomic()) and relay it to a worker after the commit. `recipients`
    are user ids, decided now; none: nothing is written. `data` must be JSON (ids)."""
    events = record_many([(topic, recipients, data)])
    return events[0] if events else None


def record_many(items: Iterable[tuple[str, Iterable[int], dict]]) -> list[Event]:
    """record() for several events of one change, (topic, recipient ids, data) each, in two
    INSERTs whatever their number (an opening tells the requester and the team at once)."""
    now = timezone.now()
    pending = []
    for topic, recipients, data in items:
        recipient_ids = list(dict.fromkeys(recipients))
        if recipient_ids:
            pending.append((Event(topic=topic, data=data, due_at=now), recipient_ids))
    if not pending:
        return []
    events = Event.objects.bulk_create([event for event, _ in pending])
    Delivery.objects.bulk_create(
        [
            Delivery(event=event, recipient_id=user_id)
            for event, recipient_ids in pending
            for user_id in recipient_ids
        ]
    )
    # One message to the broker for the whole change, not one per event.
    transaction.on_commit(functools.partial(relay, *(event.pk for event in events)))
    return events


def _broker_breaker():
    return breaker("Celery broker", reset_after=settings.PORTAL_REDIS_RETRY_SECONDS)


def relay(*event_ids: int) -> bool:
    """Hand committed events to Celery, in one task message; True if the broker took it (or,
    inline, if it ran). Never raises: the change is committed whatever happens here, and
    events the broker did not take wait for the sweep (due_at empty)."""
    from .tasks import event_deliver_task  # the task module imports this one

    eager = event_deliver_task.app.conf.task_always_eager
    guard = None if eager else _broker_breaker()
    if guard is not None and not guard.allow():
        _not_queued(event_ids)
        return False
    kwargs = {"event_id": event_ids[0]} if len(event_ids) == 1 else {"event_ids": event_ids}
    try:
        # One try, bounded by the broker's socket timeouts: the sweep is the retry.
        event_deliver_task.apply_async(kwargs=kwargs, retry=False)
    except Exception as error:  # broker down or stalled; inline: a bug in a handler
        if guard is not None:
            guard.failure(error)
        else:
            logger.exception("outbox events %s failed inline", list(event_ids))
        _not_queued(event_ids)
        return False
    if guard is not None:
        guard.success()
    return True


def _not_queued(event_ids) -> None:
    try:
        Event.objects.filter(pk__in=event_ids, status=EventStatus.PENDING).update(due_at=None)
    except DATABASE_ERRORS:
        logger.exception("outbox events %s: could not mark them for the sweep", list(event_ids))


def backoff_seconds(attempt: int) -> float:
    """Seconds before attempt number `attempt + 1`: doubling from
    PORTAL_OUTBOX_RETRY_BASE_SECONDS up to PORTAL_OUTBOX_RETRY_MAX_SECONDS, ±20 % jitter so
    a recovered SMTP server is not hit by every retry at once."""
    base = settings.PORTAL_OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    seconds = min(base, settings.PORTAL_OUTBOX_RETRY_MAX_SECONDS)
    return seconds * random.uniform(0.8, 1.2)  # noqa: S311  (jitter, not a secret)


@dataclass
class Run:
    """What one run of an event did."""

    sent: int = 0
    skipped: int = 0
    failed_attempts: int = 0
    # Seconds until the next run should happen; None: nothing left to do.
    retry_in: float | None = None


class Interrupted(Exception):
    """The database failed during a run. `confirmed` holds [delivery id, status] of the
    deliveries whose handler succeeded but whose mark was lost with the connection: the
    retry marks them without running the handler again."""

    def __init__(self, cause: BaseException, confirmed: list[list]):
        super().__init__(str(cause))
        self.cause = cause
        self.confirmed = confirmed


@dataclass
class _Attempt:
    handled: bool = False  # the handler returned or raised Skip: the effect is done
    outcome: str = ""
    errors: list[str] = field(default_factory=list)


def _attempt(delivery_id: int, handler: Handler, now: datetime) -> _Attempt | None:
    """Lock one pending delivery, run its handler and mark it, in one transaction. None if
    it is not pending any more or another worker holds it."""
    attempt = _Attempt()
    try:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("event", "recipient")
                .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
                .first()
            )
            if delivery is None:
                return None
            attempts = delivery.attempts + 1
            error_text = ""
            try:
                with transaction.atomic():  # a savepoint: a failed handler leaves no half-write
                    # Marked before the handler runs, so that once its effect is done only the
                    # commit stands between the effect and its record (a process killed in
                    # between is the one case sent twice: docs/outbox.md).
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=DeliveryStatus.SENT,
                        attempts=attempts,
                        last_error="",
                        finished_at=now,
                    )
                    handler(delivery)
                    # Known before the savepoint is released: if the database fails from
                    # here on, the effect is done all the same and must not be redone.
                    attempt.handled, attempt.outcome = True, DeliveryStatus.SENT
            except Skip as skip:
                attempt.handled, attempt.outcome = True, DeliveryStatus.SKIPPED
                error_text = str(skip)
            except DATABASE_ERRORS:
                raise
            except Exception as error:
                logger.warning(
                    "outbox delivery %s (%s) attempt %s failed: %s",
                    delivery.pk,
                    delivery.event.topic,
                    attempts,
                    error,
                )
                error_text = f"{type(error).__name__}: {error}"[:2000]
                attempt.outcome = DeliveryStatus.PENDING
                if attempts >= settings.PORTAL_OUTBOX_MAX_ATTEMPTS:
                    attempt.outcome = DeliveryStatus.FAILED
                    logger.error(
                        "outbox delivery %s failed for good after %s attempts",
                        delivery.pk,
                        attempts,
                    )
            if attempt.outcome != DeliveryStatus.SENT:  # the savepoint undid the mark
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=attempt.outcome,
                    attempts=attempts,
                    last_error=error_text,
                    finished_at=None if attempt.outcome == DeliveryStatus.PENDING else now,
                )
    except DATABASE_ERRORS as error:
        if attempt.handled and _mark_after_outage(delivery_id, attempt.outcome, now):
            return attempt
        done = [[delivery_id, attempt.outcome]] if attempt.handled else []
        raise Interrupted(error, done) from error
    return attempt


def _mark_after_outage(delivery_id: int, status: str, now: datetime) -> bool:
    """Record a delivery whose effect is done (e-mail accepted by the SMTP server) but whose
    commit the database lost, as soon as the database is back: retried in this process for
    up to PORTAL_OUTBOX_MARK_RETRY_SECONDS seconds. True once recorded (or already not
    pending). False if the database stayed away: the caller hands the record to the Celery
    retry (`confirmed`), which waits behind the queue's backlog, while the sweep may run the
    event again without it (the duplicate the fault run found, docs/outbox.md)."""
    deadline = time.monotonic() + settings.PORTAL_OUTBOX_MARK_RETRY_SECONDS
    pause = 0.1
    while True:
        with contextlib.suppress(*DATABASE_ERRORS):  # the broken connection: a new one below
            transaction.get_connection().close()
        try:
            Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
                status=status, attempts=F("attempts") + 1, last_error="", finished_at=now
            )
        except DATABASE_ERRORS:
            if time.monotonic() + pause > deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
            continue
        logger.warning("outbox delivery %s marked %s after a database outage", delivery_id, status)
        return True


def _finish_if_done(event: Event, now: datetime) -> bool:
    counts = event.deliveries.aggregate(
        pending=Count("pk", filter=Q(status=DeliveryStatus.PENDING)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
    )
    if counts["pending"]:
        return False
    status = EventStatus.FAILED if counts["failed"] else EventStatus.DONE
    Event.objects.filter(pk=event.pk, status=EventStatus.PENDING).update(
        status=status, finished_at=now, due_at=None
    )
    return True


def deliver(event_id: int, *, confirmed: Iterable[list] = ()) -> Run:
    """Run the pending deliveries of one event (the task `outbox.deliver`). Safe to run twice,
    or twice at the same time. `confirmed`: [delivery id, status] pairs a run interrupted by
    the database had done but not marked. Raises Interrupted when the database fails."""
    run = Run()
    now = timezone.now()
    try:
        for delivery_id, status in confirmed:  # done before the database failed: mark only
            Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
                status=status, finished_at=now
            )
        event = Event.objects.filter(pk=event_id).first()
        if event is None or event.status != EventStatus.PENDING:
            return run
        handler = _handlers.get(event.topic)
        if handler is None:
            Event.objects.filter(pk=event.pk).update(
                status=EventStatus.FAILED, last_error=f"no handler registered for {event.topic}"
            )
            logger.error("outbox event %s: no handler for topic %s", event.pk, event.topic)
            return run
        Event.objects.filter(pk=event.pk).update(due_at=now, runs=F("runs") + 1)
        pending = list(
            event.deliveries.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True)
        )
    except DATABASE_ERRORS as error:
        raise Interrupted(error, []) from error

    started = time.monotonic()
    attempts_seen = 0
    for delivery_id in pending:
        if time.monotonic() - started > settings.PORTAL_OUTBOX_TASK_SECONDS:
            run.retry_in = 0  # a long fan-out continues in a fresh run
            break
        attempt = _attempt(delivery_id, handler, timezone.now())
        if attempt is None:
            continue
        if attempt.outcome == DeliveryStatus.SENT:
            run.sent += 1
        elif attempt.outcome == DeliveryStatus.SKIPPED:
            run.skipped += 1
        elif attempt.outcome == DeliveryStatus.PENDING:
            run.failed_attempts += 1
    try:
        if _finish_if_done(event, timezone.now()):
            return run
        if run.retry_in is None:
            attempts_seen = (
                event.deliveries.filter(status=DeliveryStatus.PENDING)
                .order_by("-attempts")
                .values_list("attempts", flat=True)
                .first()
                or 0
            )
            # Locked by another run (both re-queued): that run finishes it; check later.
            run.retry_in = backoff_seconds(attempts_seen) if attempts_seen else 30
        Event.objects.filter(pk=event.pk, status=EventStatus.PENDING).update(
            due_at=timezone.now() + timedelta(seconds=run.retry_in)
        )
    except DATABASE_ERRORS as error:
        raise Interrupted(error, []) from error
    return run


@dataclass
class SweepReport:
    requeued: int = 0
    not_queued: int = 0
    purged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"requeued": self.requeued, "not_queued": self.not_queued, "purged": self.purged}


def sweep(*, now: datetime | None = None, limit: int = 500) -> SweepReport:
    """Re-queue the pending events the broker never took, or that no worker finished within
    PORTAL_OUTBOX_STALE_SECONDS of their due time; delete events finished more than
    PORTAL_OUTBOX_KEEP_DAYS days ago. Safe to run at any time, twice at once included (an
    event queued twice is delivered once)."""
    now = now or timezone.now()
    report = SweepReport()
    stale = now - timedelta(seconds=settings.PORTAL_OUTBOX_STALE_SECONDS)
    due = list(
        Event.objects.filter(status=EventStatus.PENDING)
        .filter(Q(due_at__isnull=True) | Q(due_at__lt=stale))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in due:
        Event.objects.filter(pk=event_id, status=EventStatus.PENDING).update(due_at=now)
        if relay(event_id):
            report.requeued += 1
        else:
            report.not_queued += 1
    keep = now - timedelta(days=settings.PORTAL_OUTBOX_KEEP_DAYS)
    old = Event.objects.filter(status=EventStatus.DONE, finished_at__lt=keep)
    while batch := list(old.values_list("pk", flat=True)[:1000]):
        report.purged += Event.objects.filter(pk__in=batch).delete()[1].get("outbox.Event", 0)
    if due or report.purged:
        logger.info("outbox sweep: %s", report.as_dict())
    return report


def resend(events: Iterable[Event]) -> int:
    """Give the failed deliveries of `events` a fresh series of attempts ("reenviar" in the
    admin) and queue them after the commit; returns how many deliveries were reset. Sent
    deliveries are never sent again."""
    count = 0
    with transaction.atomic():
        for event in events:
            reset = event.deliveries.filter(status=DeliveryStatus.FAILED).update(
                status=DeliveryStatus.PENDING, attempts=0, finished_at=None
            )
            if not reset:
                continue
            count += reset
            Event.objects.filter(pk=event.pk).update(
                status=EventStatus.PENDING, due_at=timezone.now(), finished_at=None
            )
            transaction.on_commit(functools.partial(relay, event.pk))
    return count
