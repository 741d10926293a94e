"""The requester's ticket screens: "Meus chamados", the ticket page and what a requester does
there: reply, approve or refuse a solution, reopen."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from servicedesk.core.errors import ApplicationError
from servicedesk.core.htmx import redirect_after_post
from servicedesk.core.pagination import KnownCountPaginator
from servicedesk.core.submissions import submission_from_request
from servicedesk.surveys.forms import SurveyForm
from servicedesk.surveys.models import Survey
from servicedesk.surveys.services import survey_window

from ..forms import CommentForm, ReplyForm
from ..permissions import fetch_with_scope, role_on_ticket
from ..rendering import REQUESTER_COLUMNS, requester_page_html, timeline_html
from ..selectors import (
    counter_items,
    requester_counters_read,
    ticket_counters_for_requester,
    ticket_get_visible,
    ticket_list_for_requester,
)
from ..services.solutions import (
    REFUSAL_COMMENT_REQUIRED,
    REOPEN_COMMENT_REQUIRED,
    reopen_deadline,
    solution_approve,
    solution_refuse,
    ticket_reopen,
)
from ..services.timeline import ticket_reply
from ..status import Event, Status, allowed_events
from ..uploads import check_uploads
from .inline_images import REQUESTER_ONLY, inline_image_answer

PAGE_SIZE = 20
REPLY_ADDED = "Mensagem adicionada ao chamado."
DONE_MESSAGES = {
    "approve": "Solução aprovada. Obrigado pela confirmação!",
    "refuse": "Solução recusada. O chamado voltou para a equipe de atendimento.",
    "reopen": "Chamado reaberto. A equipe de atendimento foi avisada.",
}


@login_required
def ticket_list(request):
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    text = request.GET.get("busca", "")[:100].strip()
    tickets = ticket_list_for_requester(user=request.user, status=status or None, text=text)
    # The counters and the user's agent scope (for the menu) in one round trip to the cache.
    fetched = fetch_with_scope(request.user, requester_counters_read(request.user))
    counts = ticket_counters_for_requester(user=request.user, fetched=fetched)
    # Without a search the counters already know how many: no COUNT for the pager.
    known = None if text else counts[status or "all"]
    page = KnownCountPaginator(tickets, PAGE_SIZE, known_count=known).get_page(
        request.GET.get("pagina")
    )
    counters = counter_items(counts, current=status)
    # Pagination links keep the filters.
    query = urlencode({k: v for k, v in (("status", status), ("busca", text)) if v})
    context = {
        "page": page,
        "rows_html": requester_page_html(request.user, page, status=status, searched=bool(text)),
        "columns": REQUESTER_COLUMNS,
        "counters": counters,
        "status": status,
        "text": text,
        "query_prefix": f"{query}&" if query else "",
    }
    return render(request, "tickets/ticket_list.html", context)


def _forms(data=None, files=None, *, bound: str = "") -> dict:
    """The page's forms; only the one that was posted is bound to the request."""

    def make(name, cls, **kwargs):
        return cls(data, files, **kwargs) if name == bound else cls(**kwargs)

    # One page holds several of these forms: ids of their own, so labels find their fields.
    return {
        "form": make("reply", ReplyForm),
        "approve_form": make("approve", CommentForm, auto_id="aprovar-%s"),
        "refuse_form": make(
            "refuse", CommentForm, auto_id="recusar-%s", required_comment=REFUSAL_COMMENT_REQUIRED
        ),
        "reopen_form": make(
            "reopen", CommentForm, auto_id="reabrir-%s", required_comment=REOPEN_COMMENT_REQUIRED
        ),
    }


def _page_context(request, ticket, forms: dict) -> dict:
    role = role_on_ticket(request.user, ticket)
    events = allowed_events(ticket.state, role) if role else []
    can_reopen = Event.REOPEN in events and (
        ticket.resolved_at is None or timezone.now() <= reopen_deadline(ticket)
    )
    context = {
        "ticket": ticket,
        "can_reply": Event.REQUESTER_COMMENT in events or Event.REQUESTER_REPLY in events,
        "can_decide": Event.APPROVE in events,
        "can_reopen": can_reopen,
        "reopen_deadline": reopen_deadline(ticket) if ticket.resolved_at else None,
        "reopen_days": settings.PORTAL_REOPEN_DAYS,
        "max_files": settings.PORTAL_ATTACHMENT_MAX_FILES,
        "max_mb": settings.PORTAL_ATTACHMENT_MAX_MB,
        **forms,
    }
    context["timeline"] = timeline_html(request, context)
    return context


def _survey_context(request, ticket, survey_form=None) -> dict:
    # Only a resolved ticket can have a survey: open tickets spare the query.
    survey = Survey.objects.filter(ticket=ticket).first() if ticket.resolved_at else None
    window = survey_window(user=request.user, ticket=ticket, survey=survey)
    if survey_form is None and (window.can_answer or window.can_edit):
        initial = {"stars": survey.stars, "comment": survey.comment} if survey else None
        survey_form = SurveyForm(initial=initial)
    return {"survey_window": window, "survey_form": survey_form}


def render_ticket_page(request, ticket, *, forms=None, status=200, errors=(), survey_form=None):
    """The ticket page, or only its live part for htmx; shared with the survey view."""
    context = _page_context(request, ticket, forms or _forms())
    context.update(_survey_context(request, ticket, survey_form))
    context["action_errors"] = list(errors)
    template = (
        "tickets/partials/_ticket_live.html" if request.htmx else "tickets/ticket_detail.html"
    )
    return render(request, template, context, status=status)


@login_required
def ticket_detail(request, number: int):
    ticket = ticket_get_visible(user=request.user, number=number)
    return render_ticket_page(request, ticket)


def _act(request, number: int, name: str, service, done_message: str):
    """POST handler shared by the requester's actions: validate the posted form, run the
    service, then show the updated ticket (htmx) or redirect to it (plain POST)."""
    ticket = ticket_get_visible(user=request.user, number=number)
    forms = _forms(request.POST, request.FILES, bound=name)
    form = forms["form" if name == "reply" else f"{name}_form"]
    if form.is_valid():
        try:
            entry = service(
                actor=request.user,
                ticket=ticket,
                files=check_uploads(form.cleaned_data["files"]),
                body=form.cleaned_data["body"],
                body_format=form.cleaned_data["body_format"],
                submission=submission_from_request(request),
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done_message)
            if request.htmx:
                ticket = ticket_get_visible(user=request.user, number=number)
                return render_ticket_page(request, ticket)
            return redirect_after_post(request, f"{ticket.get_absolute_url()}#registro-{entry.pk}")
    return render_ticket_page(
        request, ticket, forms=forms, status=400, errors=form.non_field_errors()
    )


# The services by the names of their forms: the reply's text is a "body", the others' a
# "comment"; everything else is passed as the view gives it (files, format, submission).
def _reply(*, body, **given):
    return ticket_reply(body=body, **given)


def _approve(*, body, **given):
    return solution_approve(comment=body, **given)


def _refuse(*, body, **given):
    return solution_refuse(comment=body, **given)


def _reopen(*, body, **given):
    return ticket_reopen(comment=body, **given)


@login_required
@require_POST
def ticket_reply_view(request, number: int):
    return _act(request, number, "reply", _reply, REPLY_ADDED)


@login_required
@require_POST
def solution_approve_view(request, number: int):
    return _act(request, number, "approve", _approve, DONE_MESSAGES["approve"])


@login_required
@require_POST
def solution_refuse_view(request, number: int):
    return _act(request, number, "refuse", _refuse, DONE_MESSAGES["refuse"])


@login_required
@require_POST
def ticket_reopen_view(request, number: int):
    return _act(request, number, "reopen", _reopen, DONE_MESSAGES["reopen"])


@login_required
@require_POST
def inline_image_upload(request, number: int):
    """An image the requester pasted or dropped into the editor; agents have the desk's path."""
    ticket = ticket_get_visible(user=request.user, number=number)
    if ticket.requester_id != request.user.pk:
        return JsonResponse({"error": REQUESTER_ONLY}, status=403)
    return inline_image_answer(request, ticket)
