"""Access to the desk: agents (members of a support group) and supervisors only."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from servicedesk.tickets.permissions import is_agent

DESK_ONLY = (
    "A mesa de atendimento é exclusiva da equipe de suporte. Para acompanhar os seus "
    "chamados, use “Meus chamados”."
)


def agent_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_agent(request.user):
            return render(request, "desk/forbidden.html", {"message": DESK_ONLY}, status=403)
        return view(request, *args, **kwargs)

    return wrapper
