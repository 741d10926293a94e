"""Sending through the outbox: a failed SMTP attempt is retried later with back-off, a
delivery run twice sends once with the same Message-ID, bad addresses are dropped, and a
failing SMTP server never fails the ticket action."""

import logging
import socket

import pytest
from django.urls import reverse

from servicedesk.accounts.models import User
from servicedesk.outbox.models import Delivery, DeliveryStatus, Event, EventStatus
from servicedesk.outbox.services import deliver, relay
from servicedesk.tickets import notifications as topics
from servicedesk.tickets.models import EntryKind, Ticket
from servicedesk.tickets.services.timeline import ticket_reply
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

from . import backends

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(agent):
    ticket = TicketFactory(status=Status.ASSIGNED, assigned_agent=agent)
    ticket.subject.support_group.members.add(agent)
    return ticket


def agent_reply(ticket, agent, django_capture_on_commit_callbacks, body="Siga o manual."):
    """The reply, with its relay run after the (captured) commit."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(actor=agent, ticket=ticket, body=body, body_format="text")
    return Event.objects.get(topic=topics.AGENT_REPLIED)


def test_a_flaky_smtp_server_is_retried_until_the_message_goes(
    settings, mailoutbox, assigned, agent, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "servicedesk.notifications.tests.backends.FlakyBackend"
    backends.attempts.clear()
    backends.failures_left[0] = 2
    event = agent_reply(assigned, agent, django_capture_on_commit_callbacks)  # attempt 1
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "SMTPServerDisconnected" in delivery.last_error
    event.refresh_from_db()
    assert event.status == EventStatus.PENDING and event.due_at is not None
    assert deliver(event.pk).failed_attempts == 1  # attempt 2
    run = deliver(event.pk)  # attempt 3
    assert (run.sent, run.retry_in) == (1, None)
    assert len(backends.attempts) == 3
    (sent,) = mailoutbox
    assert sent.subject == f"[Chamado #{assigned.number}] Nova resposta da equipe de atendimento"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    event.refresh_from_db()
    assert event.status == EventStatus.DONE and event.finished_at is not None


def test_running_a_delivery_twice_sends_once_with_a_message_id_of_its_own(
    mailoutbox, assigned, agent, django_capture_on_commit_callbacks
):
    event = agent_reply(assigned, agent, django_capture_on_commit_callbacks)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.PENDING)  # as if re-queued
    deliver(event.pk)
    relay(event.pk)
    assert len(mailoutbox) == 1
    delivery = event.deliveries.get()
    assert mailoutbox[0].extra_headers["Message-ID"] == (
        f"<chamado{assigned.number}.evento{event.pk}.usuario{delivery.recipient_id}@127.0.0.1>"
    )
    assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_an_invalid_address_is_logged_and_dropped(
    mailoutbox, caplog, assigned, agent, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=assigned.requester_id).update(email="sem-arroba")
    caplog.set_level(logging.WARNING, logger="servicedesk.notifications")
    event = agent_reply(assigned, agent, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    delivery = event.deliveries.get()
    assert delivery.status == DeliveryStatus.SKIPPED
    assert "no valid e-mail address" in delivery.last_error
    assert any("has no valid e-mail address" in line for line in caplog.messages)


def test_after_the_last_attempt_the_delivery_fails_and_stays_for_the_admin(
    settings, mailoutbox, assigned, agent, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "servicedesk.notifications.tests.backends.FlakyBackend"
    settings.PORTAL_OUTBOX_MAX_ATTEMPTS = 3
    backends.failures_left[0] = 99
    event = agent_reply(assigned, agent, django_capture_on_commit_callbacks)
    deliver(event.pk)
    deliver(event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
    assert event.deliveries.get().status == DeliveryStatus.FAILED
    assert deliver(event.pk).sent == 0  # a failed event is not run again by itself
    assert mailoutbox == []
    backends.failures_left[0] = 0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_with_the_smtp_server_down_the_reply_still_succeeds(client, settings, caplog, agent):
    """Inline (eager) sending, as in the default set-up: the e-mail fails (no retry inline:
    that would hold the request), it is logged, the reply is saved and answered 302, and the
    delivery waits in the outbox for the sweep."""
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
    delivery = Delivery.objects.get(event__topic=topics.REQUESTER_REPLIED)
    assert (delivery.recipient_id, delivery.status, delivery.attempts) == (agent.pk, "pending", 1)
