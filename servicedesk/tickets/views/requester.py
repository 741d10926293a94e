"""The requester's ticket screens: "Meus chamados", the ticket page and its replies."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from servicedesk.core.errors import ApplicationError
from servicedesk.core.htmx import redirect_after_post

from ..forms import InlineImageForm, ReplyForm
from ..permissions import role_on_ticket
from ..selectors import (
    counter_items,
    ticket_counters_for_requester,
    ticket_get_visible,
    ticket_list_for_requester,
    timeline_for,
)
from ..services.attachments import inline_image_add
from ..services.timeline import ticket_reply
from ..status import Event, Status, allowed_events
from ..uploads import check_uploads

PAGE_SIZE = 20
REPLY_ADDED = "Mensagem adicionada ao chamado."


@login_required
def ticket_list(request):
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    text = request.GET.get("busca", "")[:100]
    tickets = ticket_list_for_requester(user=request.user, status=status or None, text=text)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("pagina"))
    counters = counter_items(ticket_counters_for_requester(user=request.user), current=status)
    # Pagination links keep the filters.
    query_prefix = urlencode({k: v for k, v in (("status", status), ("busca", text.strip())) if v})
    context = {
        "page": page,
        "counters": counters,
        "status": status,
        "text": text.strip(),
        "query_prefix": f"{query_prefix}&" if query_prefix else "",
    }
    return render(request, "tickets/ticket_list.html", context)


def _page_context(request, ticket, form):
    role = role_on_ticket(request.user, ticket)
    events = allowed_events(ticket.state, role) if role else []
    return {
        "ticket": ticket,
        "entries": timeline_for(user=request.user, ticket=ticket),
        "form": form,
        "can_reply": Event.REQUESTER_COMMENT in events or Event.REQUESTER_REPLY in events,
        "max_files": settings.PORTAL_ATTACHMENT_MAX_FILES,
        "max_mb": settings.PORTAL_ATTACHMENT_MAX_MB,
    }


@login_required
def ticket_detail(request, number: int):
    ticket = ticket_get_visible(user=request.user, number=number)
    return render(
        request, "tickets/ticket_detail.html", _page_context(request, ticket, ReplyForm())
    )


@login_required
@require_POST
def ticket_reply_view(request, number: int):
    ticket = ticket_get_visible(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            files = check_uploads(form.cleaned_data["files"])
            entry = ticket_reply(
                actor=request.user,
                ticket=ticket,
                body=form.cleaned_data["body"],
                body_format=form.cleaned_data["body_format"],
                files=files,
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if request.htmx:
                ticket = ticket_get_visible(user=request.user, number=number)
                context = _page_context(request, ticket, ReplyForm())
                return render(request, "tickets/partials/_ticket_live.html", context)
            messages.success(request, REPLY_ADDED)
            return redirect_after_post(request, f"{ticket.get_absolute_url()}#registro-{entry.pk}")
    template = (
        "tickets/partials/_ticket_live.html" if request.htmx else "tickets/ticket_detail.html"
    )
    return render(request, template, _page_context(request, ticket, form), status=400)


@login_required
@require_POST
def inline_image_upload(request, number: int):
    """An image pasted or dropped into the editor, stored at once; answers JSON."""
    ticket = ticket_get_visible(user=request.user, number=number)
    form = InlineImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"error": form.errors["image"][0]}, status=400)
    try:
        attachment = inline_image_add(
            actor=request.user, ticket=ticket, upload=form.cleaned_data["image"]
        )
    except ApplicationError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse(
        {"url": attachment.get_absolute_url(), "name": attachment.original_name}, status=201
    )
