"""E-mail for real: a ticket action in this process, its outbox event through Redis to a
Celery worker process, and from it over SMTP to a server on loopback (aiosmtpd)."""

import email
import email.policy
import socket
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from bench.processes import Worker, portal_env
from config.celery import app
from servicedesk.tickets.models import EntryKind
from servicedesk.tickets.services.timeline import ticket_reply
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

ROOT = Path(__file__).resolve().parents[3]
REQUESTER_EMAIL = "maria.requerente@example.gov.br"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not settings.IS_POSTGRESQL,
        reason="run once, in the PostgreSQL pass of CI, where the worker process can share "
        "the test database",
    ),
    pytest.mark.django_db(transaction=True),
]


class Inbox:
    """aiosmtpd handler: keeps what it receives."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(port: int):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


def switch_broker(**conf):
    """See tickets/tests/test_tasks.py: drop the pools made for the previous broker."""
    app.conf.update(conf)
    app.close()
    app.amqp._producer_pool = None


@pytest.fixture
def redis_queue(redis_url):
    """Tasks queued here go through Redis, on a queue of this test's own."""
    queue = f"test-mail-{uuid.uuid4().hex[:8]}"
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    switch_broker(broker_url=redis_url, task_always_eager=False, task_default_queue=queue)
    yield queue
    switch_broker(**saved)
    redis.Redis.from_url(redis_url).delete(queue)


@pytest.fixture
def start_worker(redis_queue, redis_url):
    """`celery -A config worker` in its own process (bench/processes.py), sending through
    EMAIL_PORT."""
    workers = []

    def start(email_port: int) -> Worker:
        db = connection.settings_dict
        env = portal_env(
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            REDIS_URL=redis_url,
            CELERY_TASK_DEFAULT_QUEUE=redis_queue,
            EMAIL_PORT=str(email_port),
        )
        workers.append(Worker(env, redis_queue))
        return workers[-1]

    yield start
    for worker in workers:
        print(worker.stop())  # shown by pytest when the test fails


@pytest.fixture
def assigned(agent):
    ticket = TicketFactory(
        status=Status.ASSIGNED, assigned_agent=agent, requester__email=REQUESTER_EMAIL
    )
    ticket.subject.support_group.members.add(agent)
    return ticket


def parts(raw: bytes):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return message, plain.get_content(), html.get_content()


def test_an_agents_reply_reaches_the_requester_over_smtp(start_worker, assigned, agent):
    port = free_port()
    with smtp_server(port) as inbox:
        start_worker(port)
        entry = ticket_reply(
            actor=agent, ticket=assigned, body="Siga o manual, página 3.", body_format="text"
        )
        wait_for(lambda: inbox.received, 30, "the message at the SMTP server")
    ((recipients, raw),) = inbox.received
    assert recipients == [REQUESTER_EMAIL]
    message, plain, html = parts(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert (
        message["Subject"] == f"[Chamado #{assigned.number}] Nova resposta da equipe de atendimento"
    )
    assert message["To"] == REQUESTER_EMAIL
    assert message["Auto-Submitted"] == "auto-generated"
    link = f"{settings.PORTAL_BASE_URL}/chamados/{assigned.number}/#registro-{entry.pk}"
    assert link in plain and "> Siga o manual, página 3." in plain
    assert f'href="{link}"' in html and "Siga o manual, página 3." in html


def test_with_the_smtp_server_down_the_action_succeeds_and_the_task_retries(
    start_worker, assigned, agent
):
    port = free_port()  # nothing listens here yet
    worker = start_worker(port)
    entry = ticket_reply(actor=agent, ticket=assigned, body="Tente de novo.", body_format="text")
    # The action itself is done, whatever happens to its e-mail.
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED
    assert assigned.entries.filter(pk=entry.pk, kind=EntryKind.MESSAGE).exists()

    wait_for(lambda: worker.saw("attempt 2 failed"), 20, "the worker to retry the e-mail")
    with smtp_server(port) as inbox:
        wait_for(lambda: inbox.received, 20, "the retried message at the SMTP server")
    ((recipients, raw),) = inbox.received
    assert recipients == [REQUESTER_EMAIL]
    assert parts(raw)[0]["Subject"].startswith(f"[Chamado #{assigned.number}]")
    assert worker.saw("ConnectionRefusedError")
