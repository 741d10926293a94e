"""Reads of tickets that depend on who asks: visibility is enforced here and nowhere else."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from servicedesk.accounts.models import User
from servicedesk.catalog.selectors import catalog_names
from servicedesk.core import readcache

from .models import Attachment, Ticket, TimelineEntry
from .permissions import agent_ticket_filter, fetch_with_scope, is_agent, role_on_ticket
from .signals import requester_version, ticket_version
from .status import COUNTER_LABELS, Status

TICKET_NOT_FOUND = "Chamado não encontrado."
ATTACHMENT_NOT_FOUND = "Arquivo não encontrado."


def requester_counters_read(user: User) -> readcache.Read:
    return readcache.Read(f"requester-counters:{user.pk}", depends_on=(requester_version(user.pk),))


def ticket_counters_for_requester(
    *, user: User, fetched: readcache.Fetched | None = None
) -> dict[str, int]:
    """Counts of the user's tickets per status and in total, in one aggregate query, kept
    until one of their tickets changes. `fetched`: the page's reads, if it fetched them."""
    aggregates = {"all": Count("pk")}
    for status in Status:
        aggregates[status.value] = Count("pk", filter=Q(status=status))
    read = requester_counters_read(user)
    return readcache.value(
        read, lambda: Ticket.objects.filter(requester=user).aggregate(**aggregates), fetched
    )


def ticket_list_for_requester(
    *, user: User, status: str | None = None, text: str = ""
) -> QuerySet[Ticket]:
    """The requester's own tickets, most recent activity first, optionally filtered by status
    and by a text that is a ticket number or part of the subject or card name, whatever its
    accents and case ("emenda" finds "Emendas", "credito" finds "Crédito")."""
    tickets = Ticket.objects.filter(requester=user)
    if status:
        tickets = tickets.filter(status=status)
    text = text.strip().lstrip("#").strip()
    if text:
        match = Q(subject__name__folded_contains=text) | Q(service__title__folded_contains=text)
        if text.isdigit():
            match |= Q(pk=int(text))
        tickets = tickets.filter(match)
    return tickets.order_by("-last_interaction_at", "-pk")


REQUESTER_ROW_COLUMNS = (
    "pk",
    "status",
    "waiting_on",
    "last_interaction_at",
    "service_id",
    "subject_id",
)


class StatusLabelled:
    """A list's row of a ticket, with what status_badge asks of it besides status and
    waiting_on."""

    __slots__ = ()

    def get_status_display(self) -> str:
        return Status(self.status).label


@dataclass(frozen=True, slots=True)
class RequesterRow(StatusLabelled):
    number: int
    status: str
    waiting_on: str
    last_interaction_at: datetime
    card: str
    subject: str


def requester_rows(page: QuerySet[Ticket]) -> list[RequesterRow]:
    """A page of ticket_list_for_requester() as rows: the ticket's own columns, its card and
    subject named from the cached catalog names rather than joined."""
    names = catalog_names()
    return [
        RequesterRow(
            number=pk,
            status=status,
            waiting_on=waiting_on,
            last_interaction_at=last_interaction_at,
            card=names.cards.get(service_id, ""),
            subject=names.subjects.get(subject_id, ""),
        )
        for pk, status, waiting_on, last_interaction_at, service_id, subject_id in (
            page.values_list(*REQUESTER_ROW_COLUMNS)
        )
    ]


def tickets_for_desk(user: User) -> QuerySet[Ticket]:
    """The tickets of the desk's queues for an agent (never their own requests)."""
    if not is_agent(user):
        return Ticket.objects.none()
    return Ticket.objects.filter(agent_ticket_filter(user))


def ticket_get_visible(*, user: User, number: int) -> Ticket:
    """A ticket the user may see, with its card, subject, people and group, or 404 (never
    403: ids must not reveal what exists).

    The ticket is read from the cache while neither it nor the catalog or the people it
    names have changed (tickets/signals.py): its page is the most read of the portal, and
    the five-table join cost more to plan than to run. Who may see it is then decided on its
    fields, by the same three terms as the desk's filter (permissions.role_on_ticket)."""

    def read() -> Ticket:
        found = (
            Ticket.objects.select_related(
                "service", "subject", "requester", "assigned_agent", "assigned_group"
            )
            # The people's password hashes have no business in the cache.
            .defer("requester__password", "assigned_agent__password")
            .filter(pk=number)
            .order_by()[:1]  # one row by its key: no ORDER BY to compile or plan
        )
        if not found:
            raise Http404(TICKET_NOT_FOUND)  # raised, not cached: probing fills no cache
        return found[0]

    ticket_read = readcache.Read(
        f"ticket:{number}", depends_on=(ticket_version(number), "catalog", "people")
    )
    ticket = fetch_with_scope(user, ticket_read).value(ticket_read, read)
    if role_on_ticket(user, ticket) is None:
        raise Http404(TICKET_NOT_FOUND)
    return ticket


def sees_private_notes(user: User, ticket: Ticket) -> bool:
    # Private notes are for the team: never for the requester, even one who is an agent.
    return ticket.requester_id != user.pk and is_agent(user)


def _entries_visible_to(user: User, ticket: Ticket) -> QuerySet[TimelineEntry]:
    entries = TimelineEntry.objects.filter(ticket=ticket)
    if not sees_private_notes(user, ticket):
        entries = entries.filter(is_private=False)
    return entries


def timeline_for(*, user: User, ticket: Ticket) -> list[TimelineEntry]:
    """The entries the user may see, oldest first, with authors, files and solutions: two
    queries whatever the length of the timeline. A solution carries its decision entry (the
    approval or refusal, with its comment) as `solution.decision`."""
    files = Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    entries = list(
        _entries_visible_to(user, ticket)
        .select_related("actor", "solution")
        .prefetch_related(files)
        .order_by("created_at", "pk")
    )
    by_pk = {entry.pk: entry for entry in entries}
    for entry in entries:
        solution = getattr(entry, "solution", None)
        if solution is not None:
            solution.decision = by_pk.get(solution.decision_entry_id)
    return entries


def attachment_get_visible(*, user: User, number: int, attachment_id: int) -> Attachment:
    """A file of a visible ticket, on an entry the user may see, or an image the user pasted
    into a message not yet posted; anything else is 404."""
    ticket = ticket_get_visible(user=user, number=number)
    visible_entries = _entries_visible_to(user, ticket)
    attachment = (
        Attachment.objects.filter(ticket=ticket, pk=attachment_id)
        .filter(Q(entry__in=visible_entries) | Q(entry__isnull=True, uploaded_by=user))
        .first()
    )
    if attachment is None:
        raise Http404(ATTACHMENT_NOT_FOUND)
    return attachment


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
