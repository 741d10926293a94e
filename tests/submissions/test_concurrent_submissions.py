"""Issue 14, item 1, at once: the same form sent twice at the same moment (two threads, two
real PostgreSQL connections, like a double click reaching two gunicorn workers) produces one
result. The first request's claim holds the key until it commits; the second waits on the
unique index, then answers with the first result: both succeed, with the same redirect."""

import threading
import time
from collections import Counter

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client

from servicedesk.core.models import Submission

from .forms import FORMS, hidden_inputs, make_world, snapshot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.IS_POSTGRESQL,
        reason="needs two real connections and row locks (runs in CI on PostgreSQL)",
    ),
]

SLOW_TABLES = ("tickets_", "surveys_")


def slow_writes(execute, sql, params, many, context):
    """After each write to the tickets' and surveys' tables, wait a little, as a slow upload
    or a busy database would: both requests are then surely in flight together."""
    result = execute(sql, params, many, context)
    if sql.lstrip().upper().startswith(("INSERT", "UPDATE")) and any(
        f'"{prefix}' in sql for prefix in SLOW_TABLES
    ):
        time.sleep(0.15)
    return result


def new_rows(before: dict, after: dict) -> dict[str, int]:
    return {model: len(after[model].keys() - before[model].keys()) for model in after}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit_once(sending) -> dict[str, int]:
    """What one submission of the form creates (the reference)."""
    client = logged_in(sending.user)
    page = client.get(sending.page).content.decode()
    inputs = hidden_inputs(page, sending.action)
    before = snapshot()
    assert client.post(sending.action, {**inputs, **sending.typed()}).status_code == 302
    return new_rows(before, snapshot())


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_the_same_form_sent_twice_at_once_creates_once(form):
    world = make_world()
    expected = submit_once(form.prepare(world))
    sending = form.prepare(world)
    client = logged_in(sending.user)
    inputs = hidden_inputs(client.get(sending.page).content.decode(), sending.action)
    cookies = client.cookies
    submissions_before = Submission.objects.count()
    mail.outbox.clear()
    before = snapshot()
    barrier = threading.Barrier(2)
    responses, crashes = [], []

    def worker():
        try:
            twin = Client()
            twin.cookies = cookies
            data = {**inputs, **sending.typed()}
            barrier.wait(timeout=10)
            with connection.execute_wrapper(slow_writes):
                responses.append(twin.post(sending.action, data))
        except Exception as error:  # reported, so a crash fails the test visibly
            crashes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert crashes == []
    assert [response.status_code for response in responses] == [302, 302], [
        response.content.decode()[-3000:] for response in responses
    ]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert new_rows(before, snapshot()) == expected
    assert Submission.objects.count() == submissions_before + 1
    # No message went twice to anyone.
    sent = Counter((tuple(message.to), message.subject) for message in mail.outbox)
    assert all(count == 1 for count in sent.values()), sent
