"""Answering (and, for a while, editing) the satisfaction survey of a resolved ticket."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError
from servicedesk.core.submissions import SubmissionKey, submission_claim
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.status import Status

from .models import STAR_MEANINGS, Survey

SURVEY_NOT_YOURS = "Só quem abriu o chamado pode avaliar o atendimento."
SURVEY_NOT_YET = "A avaliação fica disponível depois que o chamado é resolvido."
SURVEY_EXPIRED = "O prazo de {days} dias para avaliar este atendimento terminou."
SURVEY_EDIT_EXPIRED = "A avaliação só pode ser alterada até {hours} horas depois de enviada."
SURVEY_STARS_INVALID = "Escolha de 1 a 5 estrelas."
SURVEY_COMMENT_TOO_LONG = "O comentário pode ter até 2.000 caracteres."


@dataclass(frozen=True)
class SurveyWindow:
    """What the requester may do with the survey of a ticket right now."""

    survey: Survey | None
    can_answer: bool  # first answer
    can_edit: bool  # change an answer given less than EDIT_HOURS ago
    answer_until: datetime | None
    edit_until: datetime | None


def survey_window(*, user: User, ticket: Ticket, survey: Survey | None, now=None) -> SurveyWindow:
    now = now or timezone.now()
    is_open = (
        user.pk == ticket.requester_id
        and ticket.status in (Status.RESOLVED, Status.CLOSED)
        and ticket.resolved_at is not None
    )
    answer_until = (
        ticket.resolved_at + timedelta(days=settings.PORTAL_SURVEY_DAYS) if is_open else None
    )
    edit_until = (
        survey.answered_at + timedelta(hours=settings.PORTAL_SURVEY_EDIT_HOURS) if survey else None
    )
    return SurveyWindow(
        survey=survey,
        can_answer=is_open and survey is None and now <= answer_until,
        can_edit=is_open and survey is not None and now <= edit_until,
        answer_until=answer_until,
        edit_until=edit_until,
    )


def _clean_stars(stars) -> int:
    try:
        value = int(stars)
    except (TypeError, ValueError):
        raise ApplicationError(SURVEY_STARS_INVALID, field="stars") from None
    if value not in STAR_MEANINGS:
        raise ApplicationError(SURVEY_STARS_INVALID, field="stars")
    return value


def survey_answer(
    *,
    actor: User,
    ticket: Ticket,
    stars,
    comment: str = "",
    submission: SubmissionKey | None = None,
) -> Survey:
    """One survey per ticket, by its requester, within SURVEY_DAYS of the resolution;
    editable for SURVEY_EDIT_HOURS after the first answer. A repeat of the same
    `submission` (core/submissions.py) returns the survey as the first one left it."""
    stars = _clean_stars(stars)
    comment = comment.strip()
    if len(comment) > 2000:
        raise ApplicationError(SURVEY_COMMENT_TOO_LONG, field="comment")
    with transaction.atomic():
        claim = submission_claim(submission)
        if claim.repeated:
            return claim.result()
        # The ticket row lock makes "only once" hold when the same form is sent twice at once.
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        survey = Survey.objects.filter(ticket=ticket).first()
        now = timezone.now()
        window = survey_window(user=actor, ticket=ticket, survey=survey, now=now)
        if actor.pk != ticket.requester_id:
            raise ApplicationError(SURVEY_NOT_YOURS)
        if window.answer_until is None:
            raise ApplicationError(SURVEY_NOT_YET)
        if survey is None:
            if not window.can_answer:
                raise ApplicationError(SURVEY_EXPIRED.format(days=settings.PORTAL_SURVEY_DAYS))
            survey = Survey.objects.create(
                ticket=ticket, requester=actor, stars=stars, comment=comment, answered_at=now
            )
            return claim.record(survey)
        if not window.can_edit:
            raise ApplicationError(
                SURVEY_EDIT_EXPIRED.format(hours=settings.PORTAL_SURVEY_EDIT_HOURS)
            )
        survey.stars, survey.comment = stars, comment
        survey.save(update_fields=["stars", "comment", "updated_at"])
        return claim.record(survey)
