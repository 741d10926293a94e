"""Nothing the portal promised is lost, with the real pieces failing: a Celery worker process,
Redis as broker, PostgreSQL, an SMTP server on loopback counting what it receives, gunicorn.
What fails is always a service of the test's own (bench/processes.py: a PostgreSQL cluster
and a Redis started on free ports), never the shared ones.

Each test reproduces a loss measured before the outbox (issue 16): events dropped when the
worker lost the database, e-mails of actions committed while the broker was down never
queued, a worker killed mid fan-out that later sent to everybody again, a cut upload saved
as complete."""

import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import suppress

import pytest
import redis
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection, connections
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from bench.processes import (
    ROOT,
    OwnPostgres,
    OwnRedis,
    SmtpSink,
    Worker,
    free_port,
    portal_env,
    wait_for,
)
from config.celery import app
from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.core.breaker import reset_all
from servicedesk.outbox.models import Delivery, DeliveryStatus, Event, EventStatus
from servicedesk.tickets.models import Attachment, Ticket
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.services.tickets import ticket_open
from servicedesk.tickets.tests.factories import PDF_BYTES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not settings.IS_POSTGRESQL,
        reason="worker and server processes share the test database: runs in the "
        "PostgreSQL pass of CI",
    ),
    pytest.mark.django_db(transaction=True),
]

TEAM_SIZE = 7


def switch_broker(**conf):
    """Point this process's Celery app at another broker, dropping the pools of the last."""
    app.conf.update(conf)
    app.close()
    app.amqp._producer_pool = None
    reset_all()


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def queue():
    return f"test-faults-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def use_broker(queue):
    """`use_broker(url)`: this process relays to `url`, on the test's own queue."""
    keys = ("broker_url", "task_always_eager", "task_default_queue", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    used = []

    def use(url: str):
        used.append(url)
        options = {**saved["broker_transport_options"], "socket_timeout": 1}
        options["socket_connect_timeout"] = 1
        switch_broker(
            broker_url=url,
            task_always_eager=False,
            task_default_queue=queue,
            broker_transport_options=options,
        )

    yield use
    switch_broker(**saved)
    for url in used:
        if url.startswith("redis://"):
            with suppress(redis.RedisError):
                redis.Redis.from_url(url, socket_timeout=2).delete(queue)
        else:
            from kombu import Connection

            with suppress(Exception), Connection(url, connect_timeout=3) as conn:
                conn.default_channel.queue_delete(queue)


@pytest.fixture
def workers(queue):
    started: list[Worker] = []

    def start(**env) -> Worker:
        worker = Worker(portal_env(CELERY_TASK_DEFAULT_QUEUE=queue, **env), queue)
        started.append(worker)
        return worker.ready()

    yield start
    for worker in started:
        print(worker.stop())  # shown by pytest when the test fails


@pytest.fixture
def sink():
    sinks: list[SmtpSink] = []

    def start(**options) -> SmtpSink:
        sinks.append(SmtpSink(**options).start())
        return sinks[-1]

    yield start
    for each in sinks:
        each.stop()


def make_team(size: int = TEAM_SIZE):
    group = SupportGroupFactory(name=f"Equipe {uuid.uuid4().hex[:6]}")
    agents = [
        UserFactory(email=f"agente{i}.{uuid.uuid4().hex[:6]}@example.gov.br") for i in range(size)
    ]
    group.members.add(*agents)
    subject = SubjectFactory(support_group=group)
    requester = UserFactory(email=f"requerente.{uuid.uuid4().hex[:6]}@example.gov.br")
    return subject, requester, agents


def expected_addresses(requester, agents) -> set[str]:
    return {requester.email, *(agent.email for agent in agents)}


def assert_each_once(smtp: SmtpSink, addresses: set[str]):
    counts = smtp.per_recipient()
    assert set(counts) == addresses
    assert all(count == 1 for count in counts.values()), counts
    ids = smtp.message_ids()
    assert len(ids) == len(set(ids)) == len(addresses)


def sweep_in_a_process(queue: str, **env) -> str:
    """`manage.py outbox_sweep`, as cron or beat would run it: a process of its own."""
    return subprocess.run(
        [sys.executable, "manage.py", "outbox_sweep"],
        cwd=ROOT, env=portal_env(CELERY_TASK_DEFAULT_QUEUE=queue, **env),
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip


# --- The worker loses the database mid-event ------------------------------------------------


@pytest.fixture
def own_database(django_db_blocker):
    """The test's data in a PostgreSQL of its own (a copy of the test database's schema),
    which the test may stop and start; this process's connection points at it meanwhile."""
    pg = OwnPostgres()
    pg.start()
    url = pg.create_database_from(database_url(), "portal_faults")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(pg.port), NAME="portal_faults")
    yield pg, url
    connections.close_all()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    pg.close()


def test_a_worker_that_loses_the_database_mid_event_sends_every_e_mail_once(
    own_database, use_broker, redis_url, workers, sink
):
    pg, url = own_database
    use_broker(redis_url)
    smtp = sink(delay=0.4)  # a slow relay: the fan-out is under way when the database goes
    workers(DATABASE_URL=url, REDIS_URL=redis_url, EMAIL_PORT=str(smtp.port))
    subject, requester, agents = make_team()
    ticket_open(actor=requester, subject=subject, answers=[], files=[])
    wait_for(lambda: len(smtp.messages) >= 3, 30, "the fan-out to start")
    pg.stop()  # every connection dropped, mid-event
    time.sleep(3)
    pg.start()
    addresses = expected_addresses(requester, agents)
    connection.close()
    wait_for(lambda: set(smtp.per_recipient()) == addresses, 90, "every e-mail")
    time.sleep(2)  # anything sent twice would arrive now
    assert_each_once(smtp, addresses)
    wait_for(lambda: Event.objects.filter(status=EventStatus.DONE).count() == 2, 30, "events done")
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_delivery_whose_commit_the_database_lost_is_recorded_when_it_returns_not_resent(
    own_database, settings, django_capture_on_commit_callbacks
):
    """Measured by bench/faults.py: a worker sent an e-mail, PostgreSQL went down before the
    commit of its record; the Celery retry carrying "already sent" waited behind the queue's
    backlog, the sweep ran the event first, and the recipient got it twice. The worker now
    records it itself as soon as the database is back."""
    from servicedesk.outbox import services

    pg, _ = own_database
    settings.PORTAL_OUTBOX_MARK_RETRY_SECONDS = 30
    settings.PORTAL_OUTBOX_STALE_SECONDS = 0  # the sweep takes any pending event at once
    people = [UserFactory() for _ in range(2)]
    sent: list[int] = []
    restart = threading.Timer(2, pg.start)  # pg_ctl start -w: returns once it accepts

    def handler(delivery):
        sent.append(delivery.recipient_id)
        if len(sent) == 1:  # accepted by the server; the database goes before the commit
            pg.stop()
            restart.start()

    services.register("tests.faults", handler)
    try:
        with django_capture_on_commit_callbacks(execute=False):  # no relay: run by hand
            event = services.record("tests.faults", recipients=[p.pk for p in people])
        with suppress(services.Interrupted):  # the old code gave up on the first one here
            services.deliver(event.pk)
        restart.join()
        connection.close()
        services.sweep()  # re-runs the event (inline here) if anything is still pending
    finally:
        services._handlers.pop("tests.faults", None)
    assert sorted(sent) == sorted(p.pk for p in people)  # each once
    assert set(event.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}


# --- The broker is down at commit -----------------------------------------------------------


def test_e_mails_of_an_action_committed_with_the_broker_down_go_out_after_it_is_back(
    use_broker, queue, workers, sink
):
    broker = OwnRedis()
    broker.start()
    try:
        use_broker(broker.url())
        smtp = sink()
        env = {"DATABASE_URL": database_url(), "REDIS_URL": broker.url(),
               "EMAIL_PORT": str(smtp.port)}  # fmt: skip
        workers(**env)
        subject, requester, agents = make_team(3)
        broker.stop()
        started = time.monotonic()
        ticket = ticket_open(actor=requester, subject=subject, answers=[], files=[])
        assert time.monotonic() - started < 3, "the broker held the action"
        assert Ticket.objects.filter(pk=ticket.pk).exists()  # committed and acknowledged
        assert list(Event.objects.values_list("due_at", flat=True)) == [None, None]

        broker.start()  # same port: the worker reconnects
        time.sleep(3)
        assert smtp.messages == []  # nothing re-sends it by itself but the sweep
        report = sweep_in_a_process(queue, **env)
        assert "2 evento(s) reenfileirado(s)" in report
        addresses = expected_addresses(requester, agents)
        wait_for(lambda: set(smtp.per_recipient()) == addresses, 60, "every e-mail")
        time.sleep(1)
        assert_each_once(smtp, addresses)
    finally:
        broker.close()


# --- A worker killed mid fan-out ------------------------------------------------------------


def test_a_worker_killed_mid_fan_out_leaves_the_rest_to_another_nobody_twice(
    use_broker, queue, redis_url, workers, sink
):
    use_broker(redis_url)
    # The fifth message waits at RCPT: four were sent (the requester's and three agents').
    smtp = sink(hold_after=4)
    env = {"DATABASE_URL": database_url(), "REDIS_URL": redis_url, "EMAIL_PORT": str(smtp.port)}
    first = workers(**env)
    subject, requester, agents = make_team()
    ticket_open(actor=requester, subject=subject, answers=[], files=[])
    wait_for(smtp.holding.is_set, 30, "the worker to be mid fan-out")
    first.kill()  # SIGKILL: its message stays unacknowledged, its transaction rolls back
    smtp.release()
    assert len(smtp.messages) == 4

    workers(**env)
    # The sweep re-queues what no worker finished (here at once, instead of after
    # PORTAL_OUTBOX_STALE_SECONDS), long before the broker's visibility timeout would.
    sweep_in_a_process(queue, PORTAL_OUTBOX_STALE_SECONDS="0", **env)
    addresses = expected_addresses(requester, agents)
    wait_for(lambda: set(smtp.per_recipient()) == addresses, 60, "the rest of the e-mails")
    time.sleep(2)
    assert_each_once(smtp, addresses)


# --- Who is told is decided at commit -------------------------------------------------------


def test_a_ticket_taken_before_the_worker_ran_still_tells_the_whole_group(
    use_broker, redis_url, workers, sink
):
    use_broker(redis_url)
    smtp = sink()
    subject, requester, agents = make_team(4)
    ticket = ticket_open(actor=requester, subject=subject, answers=[], files=[])
    ticket_assign(actor=agents[0], ticket=ticket, agent=agents[0])  # the worker is behind
    workers(DATABASE_URL=database_url(), REDIS_URL=redis_url, EMAIL_PORT=str(smtp.port))
    addresses = expected_addresses(requester, agents)
    wait_for(lambda: set(smtp.per_recipient()) == addresses, 60, "the whole group told")
    assert_each_once(smtp, addresses)


# --- A cut upload through gunicorn ----------------------------------------------------------


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    media = tmp_path / "media"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1",
         "--timeout", "30", "config.wsgi"],
        cwd=ROOT, env=portal_env(DATABASE_URL=database_url(), MEDIA_ROOT=str(media),
                                 CELERY_TASK_ALWAYS_EAGER="true"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: _answers(port), 30, "gunicorn to answer")
        yield port, media
    finally:
        process.terminate()
        print(process.communicate(timeout=20)[0])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"GET /entrar/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1")
    except OSError:
        return False


def logged_in_cookies(user) -> str:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.save()
    return f"sessionid={store.session_key}; csrftoken={'c' * 32}"


def test_an_upload_cut_by_a_lost_connection_leaves_no_ticket_entry_or_file(gunicorn):
    port, media = gunicorn
    subject, requester, _ = make_team(1)
    body = encode_multipart(
        BOUNDARY,
        {"csrfmiddlewaretoken": "c" * 32, "nota": "anexo",
         "files": [_pdf("oficio.pdf", 400_000)]},
    )  # fmt: skip
    head = (
        f"POST /servicos/{subject.service.slug}/{subject.pk}/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nContent-Type: {MULTIPART_CONTENT}\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {logged_in_cookies(requester)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body[: len(body) // 2])
        sock.shutdown(socket.SHUT_WR)  # the client's side of the connection is gone
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0]
    assert b" 400 " in status_line, answer[:300]
    assert b"O envio foi interrompido" in answer
    assert not Ticket.objects.filter(subject=subject).exists()
    assert not Attachment.objects.exists()
    assert not Event.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*")) if media.exists() else True
    assert get_user_model().objects.filter(pk=requester.pk).exists()


def _pdf(name: str, size: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES + b"0" * size, content_type="application/pdf")


# --- RabbitMQ as the broker -----------------------------------------------------------------


@pytest.fixture
def rabbitmq_url() -> str:
    """A RabbitMQ for the alternative-broker test (PORTAL_TEST_RABBITMQ_URL): the CI machines
    run one; skipped elsewhere when it is down."""
    import os

    from kombu import Connection

    url = os.environ.get("PORTAL_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
    try:
        with Connection(url, connect_timeout=3) as probe:
            probe.ensure_connection(max_retries=1)
    except Exception as error:
        pytest.skip(f"RabbitMQ not reachable at {url}: {error}")
    return url


def test_rabbitmq_works_as_the_broker_worker_killed_mid_fan_out_included(
    use_broker, queue, rabbitmq_url, redis_url, workers, sink
):
    use_broker(rabbitmq_url)
    smtp = sink(hold_after=3)
    env = {"DATABASE_URL": database_url(), "REDIS_URL": redis_url,
           "CELERY_BROKER_URL": rabbitmq_url, "EMAIL_PORT": str(smtp.port)}  # fmt: skip
    first = workers(**env)
    subject, requester, agents = make_team(4)
    ticket_open(actor=requester, subject=subject, answers=[], files=[])
    wait_for(smtp.holding.is_set, 30, "the worker to be mid fan-out")
    first.kill()
    smtp.release()
    workers(**env)
    # RabbitMQ hands the killed worker's unacknowledged task to the new one by itself.
    addresses = expected_addresses(requester, agents)
    wait_for(lambda: set(smtp.per_recipient()) == addresses, 60, "the rest of the e-mails")
    time.sleep(2)
    assert_each_once(smtp, addresses)
