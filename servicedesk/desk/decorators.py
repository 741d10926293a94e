"""Access to the desk: agents (members of a support group) and supervisors only."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import render

from servicedesk.core.readcache import Read
from servicedesk.tickets.permissions import fetch_with_scope, is_agent

DESK_ONLY = (
    "A mesa de atendimento é exclusiva da equipe de suporte. Para acompanhar os seus "
    "chamados, use “Meus chamados”."
)


def agent_required(view=None, *, reads: Callable[[HttpRequest], list[Read]] | None = None):
    """Agents only; others get 403 with a pt-BR explanation. With `reads`, the view's cached
    reads for the request are fetched together with the agent's scope, which decides access,
    in one round trip to the cache, and handed to the view as `fetched`."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if reads:
                kwargs["fetched"] = fetch_with_scope(request.user, *reads(request))
            if not is_agent(request.user):
                return render(request, "desk/forbidden.html", {"message": DESK_ONLY}, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view else decorate


REPORTS_ONLY = (
    "Os relatórios da mesa são exclusivos dos supervisores do atendimento. Se você precisa "
    "deles, peça acesso à coordenação da equipe."
)


def supervisor_required(view):
    """Supervisors only: other agents and requesters get 403 with a pt-BR explanation."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_supervisor:
            return render(request, "desk/forbidden.html", {"message": REPORTS_ONLY}, status=403)
        return view(request, *args, **kwargs)

    return wrapper
