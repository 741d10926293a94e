"""Who a user is on the desk and on a given ticket, in the terms of the lifecycle table.

Agents are the members of at least one support group; supervisors see every ticket and may
close them. Everybody else is a requester.
"""

from dataclasses import dataclass

from django.db.models import Q

from servicedesk.accounts.models import User
from servicedesk.catalog.models import SupportGroup
from servicedesk.core import readcache

from .models import Ticket
from .status import Role

NOT_A_PARTICIPANT = "Você não participa deste chamado."


@dataclass(frozen=True)
class AgentScope:
    groups: tuple[int, ...]  # the support groups the user is a member of
    services: tuple[int, ...]  # the cards those groups serve


def agent_scope_read(user: User) -> readcache.Read:
    return readcache.Read(f"agent-scope:{user.pk}", depends_on=("catalog",))


def agent_scope(user: User, fetched: readcache.Fetched | None = None) -> AgentScope:
    """The user's groups and the cards they serve: one query, kept on the user object (pages
    ask several times per request) and in the cache until a group changes. As plain ids,
    the desk's queries need no subquery to say what the agent may see."""
    if not hasattr(user, "_agent_scope"):

        def read() -> AgentScope:
            rows = list(SupportGroup.objects.filter(members=user).values_list("pk", "services"))
            return AgentScope(
                groups=tuple(sorted({group for group, _ in rows})),
                services=tuple(sorted({service for _, service in rows if service is not None})),
            )

        scope_read = agent_scope_read(user)
        user._agent_scope = readcache.value(scope_read, read, fetched)
    return user._agent_scope


def fetch_with_scope(user: User, *reads: readcache.Read) -> readcache.Fetched:
    """A page's cached reads and, in the same round trip to the cache, the user's agent
    scope, which every page needs anyway (the menu links agents to the desk)."""
    if not user.is_authenticated or hasattr(user, "_agent_scope"):
        return readcache.fetch(*reads)
    fetched = readcache.fetch(*reads, agent_scope_read(user))
    agent_scope(user, fetched)
    return fetched


def is_agent(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_supervisor or bool(agent_scope(user).groups)


def agent_ticket_filter(user: User) -> Q:
    """Tickets an agent sees: those of the cards their groups serve, those routed to their
    groups, and those assigned to them. Supervisors see all."""
    if user.is_supervisor:
        # Not Q(): an empty Q vanishes when OR-ed with another condition.
        return Q(pk__isnull=False)
    scope = agent_scope(user)
    # The plain id columns: the same SQL, without the ORM's work on related lookups.
    return (
        Q(service_id__in=scope.services)
        | Q(assigned_group_id__in=scope.groups)
        | Q(assigned_agent_id=user.pk)
    )


def role_on_ticket(user: User, ticket: Ticket) -> Role | None:
    """REQUESTER on one's own ticket (even an agent's), SUPERVISOR or AGENT on a ticket the
    desk shows them, otherwise nobody (the selectors already answered 404)."""
    if user.pk == ticket.requester_id:
        return Role.REQUESTER
    if user.is_supervisor:
        return Role.SUPERVISOR
    if is_agent(user) and _on_agents_desk(user, ticket):
        return Role.AGENT
    return None


def _on_agents_desk(user: User, ticket: Ticket) -> bool:
    """agent_ticket_filter for one ticket already in hand: the same three terms, checked on
    its fields against the agent's scope instead of asking the database again."""
    scope = agent_scope(user)
    return (
        ticket.service_id in scope.services
        or ticket.assigned_group_id in scope.groups
        or ticket.assigned_agent_id == user.pk
    )
