"""Reads of tickets that depend on who asks: visibility is enforced here and nowhere else."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from servicedesk.accounts.models import User

from .models import Ticket
from .status import COUNTER_LABELS, Status

TICKET_NOT_FOUND = "Chamado não encontrado."


def ticket_counters_for_requester(*, user: User) -> dict[str, int]:
    """Counts of the user's tickets per status and in total, in one aggregate query."""
    aggregates = {"all": Count("pk")}
    for status in Status:
        aggregates[status.value] = Count("pk", filter=Q(status=status))
    return Ticket.objects.filter(requester=user).aggregate(**aggregates)


def ticket_list_for_requester(*, user: User, status: str | None = None) -> QuerySet[Ticket]:
    """The requester's own tickets, most recent activity first."""
    tickets = Ticket.objects.filter(requester=user)
    if status:
        tickets = tickets.filter(status=status)
    return tickets.select_related("service", "subject").order_by("-last_interaction_at", "-pk")


def ticket_get_visible(*, user: User, number: int) -> Ticket:
    """A ticket the user may see, or 404. Agents' visibility arrives with the desk."""
    tickets = Ticket.objects.select_related(
        "service", "subject", "requester", "assigned_agent", "assigned_group"
    )
    if not user.is_superuser:
        tickets = tickets.filter(requester=user)
    ticket = tickets.filter(pk=number).first()
    if ticket is None:
        raise Http404(TICKET_NOT_FOUND)
    return ticket


@dataclass(frozen=True)
class CounterItem:
    label: str
    count: int
    status: str  # "" for "Todos"
    is_current: bool


def counter_items(counters: dict[str, int], *, current: str = "") -> list[CounterItem]:
    """The counters widget in the manual's order: Todos, then each status."""
    items = [CounterItem("Todos", counters["all"], "", current == "")]
    items += [
        CounterItem(COUNTER_LABELS[status], counters[status.value], status.value, current == status)
        for status in Status
    ]
    return items
