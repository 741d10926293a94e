"""The survey form on the ticket page, and the signed link of the e-mail invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.core.errors import ApplicationError
from servicedesk.core.htmx import redirect_after_post
from servicedesk.core.submissions import submission_from_request
from servicedesk.notifications.links import SurveyLinkExpired, SurveyLinkInvalid, survey_link_read
from servicedesk.tickets.selectors import TICKET_NOT_FOUND, ticket_get_visible
from servicedesk.tickets.views.requester import render_ticket_page

from .forms import SurveyForm
from .services import survey_answer

THANKS = "Obrigado pela avaliação!"


@login_required
@require_POST
def survey_submit(request, number: int):
    ticket = ticket_get_visible(user=request.user, number=number)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            survey_answer(
                actor=request.user,
                ticket=ticket,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
                submission=submission_from_request(request),
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, THANKS)
            if request.htmx:
                return render_ticket_page(
                    request, ticket_get_visible(user=request.user, number=number)
                )
            return redirect_after_post(request, f"{ticket.get_absolute_url()}#avaliacao")
    return render_ticket_page(
        request, ticket, survey_form=form, status=400, errors=form.non_field_errors()
    )


@login_required
@require_GET
def survey_invitation(request, token: str):
    """The link of the e-mail invitation: for the ticket's requester, once logged in, to the
    survey on the ticket page. Tampered or expired links get a 400 page saying so."""
    try:
        link = survey_link_read(token)
    except SurveyLinkExpired as expired:
        context = {
            "expired": True,
            "survey_days": settings.PORTAL_SURVEY_DAYS,
            "ticket_url": reverse("tickets:detail", args=[expired.ticket_number]),
        }
        return render(request, "surveys/invitation_refused.html", context, status=400)
    except SurveyLinkInvalid:
        return render(request, "surveys/invitation_refused.html", {"expired": False}, status=400)
    ticket = ticket_get_visible(user=request.user, number=link.ticket_number)
    if request.user.pk != ticket.requester_id or link.requester_id != ticket.requester_id:
        raise Http404(TICKET_NOT_FOUND)
    return redirect(f"{ticket.get_absolute_url()}#avaliacao")
