"""Who a user is on the desk and on a given ticket, in the terms of the lifecycle table.

Agents are the members of at least one support group; supervisors see every ticket and may
close them. Everybody else is a requester.
"""

from django.db.models import Q

from servicedesk.accounts.models import User
from servicedesk.catalog.models import Service, SupportGroup
from servicedesk.core import readcache

from .models import Ticket
from .status import Role

NOT_A_PARTICIPANT = "Você não participa deste chamado."


def is_agent(user: User) -> bool:
    """Kept on the user object (pages ask several times per request) and in the cache until
    a group changes (every page's menu asks)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_agent"):
        user._is_agent = user.is_supervisor or readcache.cached(
            f"is-agent:{user.pk}",
            depends_on=("catalog",),
            compute=lambda: user.support_groups.exists(),
        )
    return user._is_agent


def agent_ticket_filter(user: User) -> Q:
    """Tickets an agent sees: those of the cards their groups serve, those routed to their
    groups, and those assigned to them. Supervisors see all."""
    if user.is_supervisor:
        # Not Q(): an empty Q vanishes when OR-ed with another condition.
        return Q(pk__isnull=False)
    # Subqueries rather than joins, so that a ticket never comes back twice.
    groups = SupportGroup.objects.filter(members=user).values("pk")
    served = Service.objects.filter(support_groups__in=groups).values("pk")
    return Q(service__in=served) | Q(assigned_group__in=groups) | Q(assigned_agent=user)


def role_on_ticket(user: User, ticket: Ticket) -> Role | None:
    """REQUESTER on one's own ticket (even an agent's), SUPERVISOR or AGENT on a ticket the
    desk shows them, otherwise nobody (the selectors already answered 404)."""
    if user.pk == ticket.requester_id:
        return Role.REQUESTER
    if user.is_supervisor:
        return Role.SUPERVISOR
    if is_agent(user) and Ticket.objects.filter(agent_ticket_filter(user), pk=ticket.pk).exists():
        return Role.AGENT
    return None
