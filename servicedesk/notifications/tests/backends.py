"""An e-mail back-end whose SMTP server fails the first attempts (tests of the retries)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

attempts: list[str] = []
failures_left = [0]


class FlakyBackend(EmailBackend):
    def send_messages(self, messages):
        attempts.extend(message.subject for message in messages)
        if failures_left[0] > 0:
            failures_left[0] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
