"""Sending one rendered message: the only place that talks to the e-mail back-end."""

import logging
import smtplib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email

logger = logging.getLogger(__name__)

# How long a sent message is remembered, so a task delivered twice does not send it twice.
SENT_MARK_SECONDS = 7 * 24 * 60 * 60


def valid_address(address: str | None) -> str | None:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _sent_key(message_id: str) -> str:
    return f"notifications:sent:{message_id}"


def email_send(*, message_id: str, to: str, subject: str, text: str, html: str) -> bool:
    """Send one message (plain text with an HTML alternative) unless it already went out.

    Connection and SMTP errors propagate, so the task retries them; an address the server
    refuses for good is logged and dropped (retrying would not change the answer)."""
    if valid_address(to) is None:
        logger.warning("e-mail %s not sent: invalid address", message_id)
        return False
    if cache.get(_sent_key(message_id)):
        logger.info("e-mail %s already sent, not sending it again", message_id)
        return False
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        logger.warning("e-mail %s not sent: the SMTP server refused the recipient", message_id)
        return False
    cache.set(_sent_key(message_id), True, SENT_MARK_SECONDS)
    return True
