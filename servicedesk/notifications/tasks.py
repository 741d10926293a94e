"""Celery tasks of the notifications: thin, named after their service, safe to run twice."""

import smtplib

from celery import shared_task

from .mail import email_send


@shared_task(
    name="notifications.email_send",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    retry_jitter=True,
)
def email_send_task(*, message_id: str, to: str, subject: str, text: str, html: str) -> bool:
    return email_send(message_id=message_id, to=to, subject=subject, text=text, html=html)


@shared_task(name="notifications.event")
def event_notify_task(*, event: str, ids: dict) -> int:
    """One e-mail event (notifications.events) run after its ticket action committed. Not
    retried: each of its messages is a task of its own, retried on its own."""
    from .events import EVENTS  # events queues the tasks above: imported when run

    if event not in EVENTS:
        raise ValueError(f"unknown notification event: {event}")
    return EVENTS[event](**ids)
