from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.core.errors import ApplicationError
from servicedesk.surveys.models import Survey
from servicedesk.surveys.services import (
    SURVEY_EDIT_EXPIRED,
    SURVEY_EXPIRED,
    SURVEY_NOT_YET,
    SURVEY_NOT_YOURS,
    SURVEY_STARS_INVALID,
    survey_answer,
)
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

RESOLVED_AT = timezone.make_aware(timezone.datetime(2026, 5, 4, 10, 0))


@pytest.fixture
def resolved():
    return TicketFactory(status=Status.RESOLVED, resolved_at=RESOLVED_AT)


def answer(ticket, *, at, actor=None, stars=5, comment=""):
    with time_machine.travel(at, tick=False):
        return survey_answer(
            actor=actor or ticket.requester, ticket=ticket, stars=stars, comment=comment
        )


def refusal(ticket, **kwargs):
    with pytest.raises(ApplicationError) as refused:
        answer(ticket, **kwargs)
    return refused.value.message


def test_the_requester_rates_once_with_a_comment(resolved):
    survey = answer(resolved, at=RESOLVED_AT + timedelta(hours=1), stars=4, comment=" Rápido ")
    assert (survey.stars, survey.comment, survey.requester) == (4, "Rápido", resolved.requester)
    assert survey.meaning == "Satisfeito"


def test_only_the_requester(resolved):
    assert refusal(resolved, at=RESOLVED_AT, actor=UserFactory()) == SURVEY_NOT_YOURS
    agent = UserFactory(is_supervisor=True)
    assert refusal(resolved, at=RESOLVED_AT, actor=agent) == SURVEY_NOT_YOURS
    assert not Survey.objects.exists()


@pytest.mark.parametrize("status", [Status.NEW, Status.ASSIGNED, Status.TO_VALIDATE])
def test_not_before_resolution(status):
    ticket = TicketFactory(status=status)
    assert refusal(ticket, at=RESOLVED_AT) == SURVEY_NOT_YET


def test_a_ticket_closed_without_resolution_has_no_survey():
    ticket = TicketFactory(status=Status.CLOSED, resolved_at=None)
    assert refusal(ticket, at=RESOLVED_AT) == SURVEY_NOT_YET


def test_a_closed_ticket_that_was_resolved_can_still_be_rated():
    ticket = TicketFactory(status=Status.CLOSED, resolved_at=RESOLVED_AT)
    assert answer(ticket, at=RESOLVED_AT + timedelta(days=12)).stars == 5


def test_only_within_30_days(resolved):
    assert answer(resolved, at=RESOLVED_AT + timedelta(days=30)).stars == 5
    other = TicketFactory(status=Status.RESOLVED, resolved_at=RESOLVED_AT)
    late = RESOLVED_AT + timedelta(days=30, seconds=1)
    assert refusal(other, at=late) == SURVEY_EXPIRED.format(days=30)


def test_editable_for_12_hours_then_final(resolved):
    answer(resolved, at=RESOLVED_AT, stars=2, comment="Demorou")
    edited = answer(resolved, at=RESOLVED_AT + timedelta(hours=12), stars=4, comment="Resolveu")
    assert (edited.stars, edited.comment) == (4, "Resolveu")
    assert Survey.objects.count() == 1
    message = refusal(resolved, at=RESOLVED_AT + timedelta(hours=12, seconds=1), stars=1)
    assert message == SURVEY_EDIT_EXPIRED.format(hours=12)
    assert Survey.objects.get().stars == 4


@pytest.mark.parametrize("stars", [0, 6, -1, "cinco", None, "3.5"])
def test_stars_outside_1_to_5_are_refused(resolved, stars):
    assert refusal(resolved, at=RESOLVED_AT, stars=stars) == SURVEY_STARS_INVALID
    assert not Survey.objects.exists()
