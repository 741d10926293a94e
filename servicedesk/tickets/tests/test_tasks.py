"""The hourly job through a real Celery worker process and a real Redis broker."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.solutions import solution_propose
from servicedesk.tickets.status import Status
from servicedesk.tickets.tasks import automatic_transitions_run_task
from servicedesk.tickets.tests.factories import TicketFactory

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def redis_broker(redis_url):
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    switch_broker(broker_url=redis_url, task_always_eager=False)
    yield redis_url
    switch_broker(**saved)
    # Tasks the test's own actions queued on the default queue (e-mails) have no consumer.
    redis.Redis.from_url(redis_url).delete(app.conf.task_default_queue)


def switch_broker(**conf):
    """Point the app at another broker, dropping the connection and producer pools made for
    the previous one (an eager run earlier in the session leaves a memory:// producer)."""
    app.conf.update(conf)
    app.close()
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_process(redis_broker):
    """`celery -A config worker` in its own process, on a queue of its own, using the test
    database (which must be a server database: the worker cannot see an in-memory one)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    yield queue
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    print(output)  # shown by pytest when the test fails


@pytest.mark.slow
@pytest.mark.skipif(
    not settings.IS_POSTGRESQL,
    reason="the worker process needs the test database on a server (runs in CI on PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_the_job_runs_in_a_celery_worker_through_redis(celery_worker_process, agent):
    ticket = TicketFactory(status=Status.ASSIGNED, assigned_agent=agent)
    ticket.subject.support_group.members.add(agent)
    solution_propose(actor=agent, ticket=ticket, body="Feito.", body_format="text")
    Ticket.objects.filter(pk=ticket.pk).update(
        last_interaction_at=ticket.last_interaction_at - timedelta(days=11)
    )
    automatic_transitions_run_task.apply_async(queue=celery_worker_process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ticket.refresh_from_db()
        if ticket.status == Status.RESOLVED:
            break
        time.sleep(0.3)
    assert ticket.status == Status.RESOLVED
    assert ticket.solutions.get().status == "auto_approved"


def test_without_redis_the_task_runs_inline(db):
    # The embedded default: no worker, no broker; queuing the task runs it at once.
    assert app.conf.task_always_eager
    result = automatic_transitions_run_task.delay()
    assert result.successful()
    # .result, not .get(): a task run earlier in a thread may have set Celery's
    # "join would block" flag for this process.
    assert result.result == {
        "reminded": 0,
        "auto_approved": 0,
        "auto_resolved": 0,
        "closed": 0,
        "submissions_forgotten": 0,
    }
