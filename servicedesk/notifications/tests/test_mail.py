"""The sending task: retries with back-off on SMTP errors, sends once however often it runs,
drops bad addresses, and a failing SMTP server never fails the ticket action."""

import logging
import smtplib
import socket
from email.utils import make_msgid

import pytest
from django.urls import reverse

from config.celery import app
from servicedesk.notifications.tasks import email_send_task
from servicedesk.tickets.models import EntryKind, Ticket
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

from . import backends


def message(**overrides):
    return {
        "message_id": make_msgid(domain="teste"),
        "to": "maria@example.gov.br",
        "subject": "[Chamado #1] Teste",
        "text": "Texto",
        "html": "<p>Texto</p>",
        **overrides,
    }


def test_the_task_retries_smtp_errors_with_exponential_back_off():
    assert email_send_task.autoretry_for == (smtplib.SMTPException, OSError)
    assert email_send_task.max_retries == 5
    assert email_send_task.retry_backoff is True
    assert email_send_task.retry_backoff_max == 600
    assert email_send_task.retry_jitter is True


@pytest.fixture
def eager_retries():
    """Inline runs normally propagate the first error (the default set-up logs it and goes
    on); without propagation Celery runs the retries inline, which shows the task's policy."""
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


def test_a_flaky_smtp_server_is_retried_until_the_message_goes(settings, mailoutbox, eager_retries):
    settings.EMAIL_BACKEND = "servicedesk.notifications.tests.backends.FlakyBackend"
    backends.attempts.clear()
    backends.failures_left[0] = 2
    assert email_send_task.delay(**message()).result is True
    assert len(backends.attempts) == 3
    (sent,) = mailoutbox
    assert sent.subject == "[Chamado #1] Teste"


def test_running_the_task_twice_sends_once(mailoutbox):
    same = message()
    email_send_task.delay(**same)
    email_send_task.delay(**same)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == same["message_id"]
    assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_an_invalid_address_is_logged_and_dropped(mailoutbox, caplog):
    caplog.set_level(logging.WARNING, logger="servicedesk.notifications")
    assert email_send_task.delay(**message(to="sem-arroba")).result is False
    assert mailoutbox == []
    assert any("invalid address" in line for line in caplog.messages)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_with_the_smtp_server_down_the_reply_still_succeeds(client, settings, caplog, agent):
    """Inline (eager) sending, as in the default set-up: the e-mail fails (no retry inline:
    that would hold the request), it is logged, and the reply is saved and answered 302."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    ticket = TicketFactory(status=Status.ASSIGNED, assigned_agent=agent)
    client.force_login(ticket.requester)
    caplog.set_level(logging.INFO)
    response = client.post(
        reverse("tickets:reply", args=[ticket.number]),
        {"body": "Ainda trava.", "body_format": "text"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert ticket.entries.filter(kind=EntryKind.MESSAGE, body_text="Ainda trava.").exists()
    assert f"e-mail requester_reply of ticket {ticket.pk} to user {agent.pk} failed" in (
        caplog.messages
    )
    assert Ticket.objects.get(pk=ticket.pk).entries.count() == 2
