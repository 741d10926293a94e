"""Sending one rendered message: the only place that talks to the e-mail back-end."""

import logging
import smtplib

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction

logger = logging.getLogger(__name__)


def valid_address(address: str | None) -> str | None:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def email_send(*, message_id: str, to: str, subject: str, text: str, html: str) -> bool:
    """Send one message (plain text with an HTML alternative); False if it was not sent.

    Connection and SMTP errors propagate, so the outbox counts a failed attempt and retries;
    an address the server refuses for good is logged and dropped (retrying would not change
    the answer). Sending once is the outbox's business (one delivery per recipient, marked
    in the database): this function sends whenever it is called."""
    if valid_address(to) is None:
        logger.warning("e-mail %s not sent: invalid address", message_id)
        return False
    # The connection is closed after the outbox records the message as sent, not before:
    # the QUIT exchange stays out of the moment between the server's acceptance and that
    # record (docs/outbox.md, "What once means exactly").
    connection = get_connection()
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    try:
        connection.open()
        message.send()
    except smtplib.SMTPRecipientsRefused:
        connection.close()
        logger.warning("e-mail %s not sent: the SMTP server refused the recipient", message_id)
        return False
    except BaseException:
        connection.close()
        raise
    transaction.on_commit(connection.close)
    return True
