"""The outbox on its own, with a topic of the tests: events exist exactly when their change
does, each recipient's effect happens once, failures are bounded and resent from the admin,
and the sweep takes what the broker or a worker dropped."""

import socket
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.core.breaker import reset_all
from servicedesk.core.tests.stalled import StalledServer
from servicedesk.outbox import services
from servicedesk.outbox.models import Delivery, DeliveryStatus, Event, EventStatus
from servicedesk.outbox.services import (
    Skip,
    deliver,
    record,
    record_many,
    register,
    resend,
    sweep,
)

pytestmark = pytest.mark.django_db

TOPIC = "tests.greeting"


class Recorder:
    def __init__(self):
        self.calls: list[tuple[int, int]] = []
        self.fail: set[int] = set()
        self.skip: set[int] = set()

    def __call__(self, delivery):
        if delivery.recipient_id in self.skip:
            raise Skip("nothing to say")
        if delivery.recipient_id in self.fail:
            raise ConnectionRefusedError("smtp down")
        self.calls.append((delivery.event_id, delivery.recipient_id))


@pytest.fixture
def handler():
    recorder = Recorder()
    register(TOPIC, recorder)
    yield recorder
    services._handlers.pop(TOPIC, None)


@pytest.fixture
def people():
    return [UserFactory() for _ in range(3)]


def test_an_event_is_written_with_its_change_and_vanishes_with_its_rollback(handler, people):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(TOPIC, recipients=[people[0].pk], thing=1)
        raise RuntimeError("the change failed")
    assert not Event.objects.exists() and not Delivery.objects.exists()
    assert handler.calls == []


def test_no_recipient_writes_nothing(handler):
    assert record(TOPIC, recipients=[], thing=1) is None
    assert not Event.objects.exists()


def test_after_the_commit_each_recipient_is_handled_once(
    handler, people, django_capture_on_commit_callbacks
):
    ids = [person.pk for person in people]
    with django_capture_on_commit_callbacks(execute=True):
        event = record(TOPIC, recipients=[*ids, ids[0]], thing=1)  # a repeated id counts once
    assert sorted(handler.calls) == [(event.pk, pk) for pk in sorted(ids)]
    event.refresh_from_db()
    assert (event.status, event.runs, event.data) == (EventStatus.DONE, 1, {"thing": 1})
    # Run again (a re-queued or redelivered task): nothing is sent twice.
    Event.objects.filter(pk=event.pk).update(status=EventStatus.PENDING)
    assert deliver(event.pk).sent == 0
    assert len(handler.calls) == 3


def test_the_events_of_one_change_are_written_together_and_relayed_in_one_message(
    handler, people, django_capture_on_commit_callbacks, monkeypatch
):
    from servicedesk.outbox.tasks import event_deliver_task

    sent_messages = []
    real_apply_async = event_deliver_task.apply_async

    def apply_async(*args, **kwargs):
        sent_messages.append(kwargs["kwargs"])
        return real_apply_async(*args, **kwargs)

    monkeypatch.setattr(event_deliver_task, "apply_async", apply_async)
    with django_capture_on_commit_callbacks(execute=True):
        first, second = record_many(
            [(TOPIC, [people[0].pk], {"n": 1}), (TOPIC, [people[1].pk, people[2].pk], {"n": 2})]
        )
    assert sent_messages == [{"event_ids": (first.pk, second.pk)}]
    assert sorted(handler.calls) == sorted(
        [(first.pk, people[0].pk), (second.pk, people[1].pk), (second.pk, people[2].pk)]
    )
    assert set(Event.objects.values_list("status", flat=True)) == {EventStatus.DONE}


def test_a_failing_recipient_is_retried_the_others_are_not(
    settings, handler, people, django_capture_on_commit_callbacks
):
    settings.PORTAL_OUTBOX_MAX_ATTEMPTS = 2
    handler.fail = {people[1].pk}
    handler.skip = {people[2].pk}
    with django_capture_on_commit_callbacks(execute=True):
        event = record(TOPIC, recipients=[person.pk for person in people], thing=1)
    states = dict(event.deliveries.values_list("recipient_id", "status"))
    assert states == {people[0].pk: "sent", people[1].pk: "pending", people[2].pk: "skipped"}
    event.refresh_from_db()
    assert event.status == EventStatus.PENDING
    # The retry is planned with back-off, in the database (the sweep's clock).
    assert event.due_at > timezone.now() + timedelta(seconds=5)

    run = deliver(event.pk)  # the second and last attempt
    assert (run.sent, run.retry_in) == (0, None)
    failed = event.deliveries.get(recipient=people[1])
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 2)
    assert failed.last_error == "ConnectionRefusedError: smtp down"
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED

    handler.fail = set()
    with django_capture_on_commit_callbacks(execute=True):
        assert resend([event]) == 1
    event.refresh_from_db()
    assert event.status == EventStatus.DONE
    assert handler.calls.count((event.pk, people[0].pk)) == 1  # never sent again
    assert handler.calls.count((event.pk, people[1].pk)) == 1


def test_a_delivery_the_database_did_not_mark_is_marked_not_sent_again(handler, people):
    event = record(TOPIC, recipients=[people[0].pk, people[1].pk], thing=1)
    first = event.deliveries.get(recipient=people[0])
    deliver(event.pk, confirmed=[[first.pk, DeliveryStatus.SENT]])
    assert handler.calls == [(event.pk, people[1].pk)]
    assert event.deliveries.get(pk=first.pk).status == DeliveryStatus.SENT


def test_backoff_doubles_with_jitter_up_to_the_cap(settings):
    settings.PORTAL_OUTBOX_RETRY_BASE_SECONDS = 10
    settings.PORTAL_OUTBOX_RETRY_MAX_SECONDS = 300
    assert 8 <= services.backoff_seconds(1) <= 12
    assert 16 <= services.backoff_seconds(2) <= 24
    assert 240 <= services.backoff_seconds(9) <= 360


def test_the_sweep_requeues_what_the_broker_never_took_and_what_went_stale(
    settings, handler, people
):
    now = timezone.now()
    fresh = record(TOPIC, recipients=[people[0].pk], n=1)  # relay pending (never committed)
    never_queued = record(TOPIC, recipients=[people[1].pk], n=2)
    Event.objects.filter(pk=never_queued.pk).update(due_at=None)
    stale = record(TOPIC, recipients=[people[2].pk], n=3)
    Event.objects.filter(pk=stale.pk).update(
        due_at=now - timedelta(seconds=settings.PORTAL_OUTBOX_STALE_SECONDS + 1)
    )
    old_done = record(TOPIC, recipients=[people[0].pk], n=4)
    Event.objects.filter(pk=old_done.pk).update(
        status=EventStatus.DONE,
        finished_at=now - timedelta(days=settings.PORTAL_OUTBOX_KEEP_DAYS + 1),
    )
    report = sweep(now=now)
    assert (report.requeued, report.not_queued, report.purged) == (2, 0, 1)
    assert sorted(handler.calls) == sorted(
        [(never_queued.pk, people[1].pk), (stale.pk, people[2].pk)]
    )
    assert Event.objects.get(pk=fresh.pk).status == EventStatus.PENDING
    assert not Event.objects.filter(pk=old_done.pk).exists()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["stopped", "stalled"])
def broker_down(request, settings):
    """A broker nobody listens on (Redis stopped) or that never answers (Redis stalled)."""
    stalled = StalledServer() if request.param == "stalled" else None
    port = stalled.port if stalled else closed_port()
    options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "max_retries": 0}
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(
        broker_url=f"redis://127.0.0.1:{port}/0",
        task_always_eager=False,
        broker_transport_options=options,
    )
    app.close()
    app.amqp._producer_pool = None
    reset_all()
    yield
    app.conf.update(saved)
    app.close()
    app.amqp._producer_pool = None
    reset_all()
    if stalled:
        stalled.close()


def test_with_the_broker_down_the_commit_stands_and_the_event_waits_for_the_sweep(
    broker_down, handler, people, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        first = record(TOPIC, recipients=[people[0].pk], n=1)
    first_took = time.monotonic() - started
    with django_capture_on_commit_callbacks(execute=True):
        second = record(TOPIC, recipients=[people[1].pk], n=2)
    second_took = time.monotonic() - started - first_took
    # One bounded wait (a try of 0.5 s), then the circuit-breaker skips the broker.
    assert first_took < 2, f"the relay held the first request {first_took:.1f} s"
    assert second_took < 0.2, f"the relay held the next request {second_took:.1f} s"
    assert list(
        Event.objects.filter(pk__in=[first.pk, second.pk]).values_list("due_at", flat=True)
    ) == [None, None]
    assert handler.calls == []
    report = sweep()
    assert (report.requeued, report.not_queued) == (0, 2)  # still down: still waiting


def test_the_admin_lists_the_outbox_and_resends_failed_deliveries(
    client, supervisor, handler, people, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_OUTBOX_MAX_ATTEMPTS = 1
    handler.fail = {people[0].pk}
    with django_capture_on_commit_callbacks(execute=True):
        event = record(TOPIC, recipients=[people[0].pk, people[1].pk], n=1)
    assert Event.objects.get(pk=event.pk).status == EventStatus.FAILED
    client.force_login(supervisor)
    listing = client.get(reverse("admin:outbox_event_changelist") + "?status__exact=failed")
    assert listing.status_code == 200
    assert TOPIC in listing.content.decode()
    detail = client.get(reverse("admin:outbox_event_change", args=[event.pk]))
    assert "ConnectionRefusedError: smtp down" in detail.content.decode()

    handler.fail = set()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:outbox_event_changelist"),
            {"action": "resend_failed", "_selected_action": [event.pk]},
            follow=True,
        )
    assert "1 entrega(s) com falha reenfileirada(s)." in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == EventStatus.DONE
    assert sorted(handler.calls) == sorted([(event.pk, people[1].pk), (event.pk, people[0].pk)])
