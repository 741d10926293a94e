"""The survey form on the ticket page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST

from servicedesk.core.errors import ApplicationError
from servicedesk.core.htmx import redirect_after_post
from servicedesk.tickets.selectors import ticket_get_visible
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
