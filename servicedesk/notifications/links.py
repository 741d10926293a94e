"""Absolute links for e-mails, and the signed survey link (valid PORTAL_SURVEY_DAYS days)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SURVEY_LINK_SALT = "servicedesk.notifications.survey-invitation"


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


@dataclass(frozen=True)
class SurveyLink:
    ticket_number: int
    requester_id: int


class SurveyLinkInvalid(Exception):
    """Not a link we signed (tampered, truncated, made up)."""


class SurveyLinkExpired(SurveyLinkInvalid):
    """A link we signed, but older than the survey period."""

    def __init__(self, ticket_number: int):
        super().__init__(ticket_number)
        self.ticket_number = ticket_number


def survey_link_token(*, ticket_number: int, requester_id: int) -> str:
    return signing.dumps([ticket_number, requester_id], salt=SURVEY_LINK_SALT)


def survey_link_url(*, ticket_number: int, requester_id: int) -> str:
    token = survey_link_token(ticket_number=ticket_number, requester_id=requester_id)
    return absolute_url(reverse("surveys:invitation", args=[token]))


def _parsed(data) -> SurveyLink:
    if not (
        isinstance(data, list) and len(data) == 2 and all(isinstance(item, int) for item in data)
    ):
        raise SurveyLinkInvalid
    return SurveyLink(ticket_number=data[0], requester_id=data[1])


def survey_link_read(token: str) -> SurveyLink:
    """The ticket and requester a link was made for; SurveyLinkExpired or SurveyLinkInvalid."""
    max_age = timedelta(days=settings.PORTAL_SURVEY_DAYS)
    try:
        return _parsed(signing.loads(token, salt=SURVEY_LINK_SALT, max_age=max_age))
    except signing.SignatureExpired:
        # The signature is ours, only too old: its content can be trusted to point at the ticket.
        link = _parsed(signing.loads(token, salt=SURVEY_LINK_SALT))
        raise SurveyLinkExpired(link.ticket_number) from None
    except signing.BadSignature:
        raise SurveyLinkInvalid from None
