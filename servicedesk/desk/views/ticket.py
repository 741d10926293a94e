"""The desk's ticket view: the whole timeline (private notes included) and the actions the
lifecycle table allows this agent now. Every change goes through tickets.services."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from servicedesk.core.errors import ApplicationError
from servicedesk.core.htmx import redirect_after_post
from servicedesk.core.submissions import submission_from_request
from servicedesk.tickets.permissions import role_on_ticket
from servicedesk.tickets.rendering import timeline_html
from servicedesk.tickets.selectors import ticket_get_visible
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.services.solutions import solution_propose
from servicedesk.tickets.services.timeline import (
    information_request,
    note_add,
    third_party_wait,
    ticket_close,
    ticket_reply,
    work_resume,
)
from servicedesk.tickets.status import Event, Role, allowed_events
from servicedesk.tickets.uploads import check_uploads
from servicedesk.tickets.views.inline_images import inline_image_answer

from ..action_forms import AssignForm, CloseForm, EmptyForm, MessageForm, WaitForm
from ..decorators import agent_required

TEAM_ONLY = "Imagens deste chamado são enviadas pela página do chamado, como requerente."


def _message(service):
    def run(request, ticket, data):
        return service(
            actor=request.user,
            ticket=ticket,
            body=data["body"],
            body_format=data["body_format"],
            files=check_uploads(data["files"]),
            submission=submission_from_request(request),
        )

    return run


@dataclass(frozen=True)
class DeskAction:
    slug: str
    events: tuple[Event, ...]  # shown when the table allows any of these
    title: str
    form: type
    form_kwargs: dict
    run: Any
    done: str


ACTIONS = [
    DeskAction(
        "responder", (Event.AGENT_REPLY,), "Responder ao requerente", MessageForm,
        {"label": "Resposta (visível para o requerente)"}, _message(ticket_reply),
        "Resposta enviada.",
    ),
    DeskAction(
        "pedir-informacao", (Event.REQUEST_INFO,), "Pedir informação", MessageForm,
        {"label": "O que o requerente precisa informar"}, _message(information_request),
        "Pedido enviado: o chamado aguarda o requerente.",
    ),
    DeskAction(
        "propor-solucao", (Event.PROPOSE_SOLUTION,), "Propor solução", MessageForm,
        {"label": "Solução (o requerente aprova ou recusa)"}, _message(solution_propose),
        "Solução enviada para validação do requerente.",
    ),
    DeskAction(
        "nota", (Event.PRIVATE_NOTE,), "Nota privada", MessageForm,
        {"label": "Nota privada (só a equipe vê)"}, _message(note_add), "Nota privada adicionada.",
    ),
    DeskAction(
        "atribuir", (Event.ASSIGN, Event.REASSIGN), "Atribuir", AssignForm, {},
        lambda request, ticket, data: ticket_assign(
            actor=request.user, ticket=ticket, agent=data["agent"], group=data["group"],
            submission=submission_from_request(request),
        ),
        "Chamado atribuído.",
    ),
    DeskAction(
        "aguardar-terceiros", (Event.WAIT_THIRD_PARTY,), "Aguardar terceiros", WaitForm, {},
        lambda request, ticket, data: third_party_wait(
            actor=request.user, ticket=ticket, reason=data["reason"],
            submission=submission_from_request(request),
        ),
        "O chamado aguarda terceiros.",
    ),
    DeskAction(
        "retomar", (Event.RESUME,), "Retomar atendimento", EmptyForm, {},
        lambda request, ticket, data: work_resume(
            actor=request.user, ticket=ticket, submission=submission_from_request(request)
        ),
        "Atendimento retomado.",
    ),
    DeskAction(
        "fechar", (Event.CLOSE,), "Fechar chamado", CloseForm, {},
        lambda request, ticket, data: ticket_close(
            actor=request.user, ticket=ticket, reason=data["reason"],
            submission=submission_from_request(request),
        ),
        "Chamado fechado.",
    ),
]  # fmt: skip
ACTIONS_BY_SLUG = {action.slug: action for action in ACTIONS}


def _desk_ticket(request, number: int):
    ticket = ticket_get_visible(user=request.user, number=number)
    role = role_on_ticket(request.user, ticket)
    return ticket, role


def _context(request, ticket, role, *, bound: DeskAction | None = None, form=None, errors=()):
    events = set(allowed_events(ticket.state, role))
    available = [action for action in ACTIONS if events.intersection(action.events)]
    forms = {
        action.slug: form
        if action is bound
        else action.form(prefix=action.slug, **action.form_kwargs)
        for action in available
    }
    context = {
        "ticket": ticket,
        "actions": [(action, forms[action.slug]) for action in available],
        "open_action": bound.slug if bound else "",
        "can_take": (Event.ASSIGN in events or Event.REASSIGN in events)
        and ticket.assigned_agent_id != request.user.pk,
        "action_errors": list(errors),
        "desk_view": True,
        "max_files": settings.PORTAL_ATTACHMENT_MAX_FILES,
        "max_mb": settings.PORTAL_ATTACHMENT_MAX_MB,
    }
    context["timeline"] = timeline_html(request, context)
    return context


def _render(request, context, status=200):
    template = "desk/partials/_ticket_live.html" if request.htmx else "desk/ticket.html"
    return render(request, template, context, status=status)


@agent_required
def ticket_detail(request, number: int):
    ticket, role = _desk_ticket(request, number)
    if role == Role.REQUESTER:  # an agent's own request is followed like anyone's
        return redirect(ticket)
    return _render(request, _context(request, ticket, role))


@agent_required
@require_POST
def ticket_action(request, number: int, action: str):
    desk_action = ACTIONS_BY_SLUG.get(action)
    if desk_action is None:
        raise Http404("Ação desconhecida.")
    ticket, role = _desk_ticket(request, number)
    form = desk_action.form(
        request.POST, request.FILES, prefix=desk_action.slug, **desk_action.form_kwargs
    )
    if form.is_valid():
        try:
            desk_action.run(request, ticket, form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, desk_action.done)
            return _after_success(request, number)
    context = _context(
        request, ticket, role, bound=desk_action, form=form, errors=form.non_field_errors()
    )
    return _render(request, context, status=400)


@agent_required
@require_POST
def inline_image_upload(request, number: int):
    """An image an agent pasted or dropped into the editor of a desk action."""
    ticket, role = _desk_ticket(request, number)
    if role not in (Role.AGENT, Role.SUPERVISOR):  # their own ticket: the requester's path
        return JsonResponse({"error": TEAM_ONLY}, status=403)
    return inline_image_answer(request, ticket)


@agent_required
@require_POST
def take_ticket(request, number: int):
    """ "Atribuir a mim": one click."""
    ticket, role = _desk_ticket(request, number)
    try:
        ticket_assign(
            actor=request.user,
            ticket=ticket,
            agent=request.user,
            submission=submission_from_request(request),
        )
    except ApplicationError as error:
        return _render(request, _context(request, ticket, role, errors=[error.message]), status=400)
    messages.success(request, "Chamado atribuído a você.")
    return _after_success(request, number)


def _after_success(request, number: int):
    if request.htmx:
        ticket, role = _desk_ticket(request, number)
        return _render(request, _context(request, ticket, role))
    return redirect_after_post(request, "desk:ticket", number=number)
