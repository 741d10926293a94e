"""Reads of the desk's queues: which tickets each queue holds, their counts, search and order.

Everything starts from `tickets_for_desk(user)`, so what an agent may see is decided in one
place; this module only narrows that set down.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.catalog.models import Service, Subject, SupportGroup
from servicedesk.catalog.selectors import with_active_member_count
from servicedesk.core import readcache
from servicedesk.core.search import SEARCH_CONFIG, SQLITE_JSON_TEXT
from servicedesk.tickets.models import Ticket, TimelineEntry
from servicedesk.tickets.permissions import agent_scope
from servicedesk.tickets.selectors import StatusLabelled, tickets_for_desk
from servicedesk.tickets.status import Status

DONE = (Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True)
class Queue:
    slug: str  # the value of ?fila=
    label: str


QUEUES = (
    Queue("sem-atribuicao", "Sem atribuição"),
    Queue("meus", "Meus"),
    Queue("meus-grupos", "Meus grupos"),
    Queue("aguardando", "Aguardando"),
    Queue("validar", "Validar"),
    Queue("todos", "Todos"),
)
QUEUE_SLUGS = frozenset(queue.slug for queue in QUEUES)
DEFAULT_QUEUE = "sem-atribuicao"


def _queue_filter(slug: str, user: User) -> Q:
    if slug == "sem-atribuicao":
        return Q(assigned_agent__isnull=True) & ~Q(status__in=DONE)
    if slug == "meus":
        return Q(assigned_agent=user) & ~Q(status__in=DONE)
    if slug == "meus-grupos":
        return Q(assigned_group__in=agent_scope(user).groups) & ~Q(status__in=DONE)
    if slug == "aguardando":
        return Q(status=Status.WAITING)
    if slug == "validar":
        return Q(status=Status.TO_VALIDATE)
    return Q()  # "todos": everything the desk shows


# Queues whose own filter already keeps to what the agent may see (tickets assigned to them,
# or to their groups: two terms of agent_ticket_filter). Without the visibility OR on top,
# PostgreSQL reads them through their indexes: their tab counts took 35 and 40 ms on a million
# tickets (a sequential and a bitmap scan), 1 ms without.
_VISIBILITY_IMPLIED = frozenset({"meus", "meus-grupos"})


def _queue_tickets(slug: str, user: User) -> QuerySet[Ticket]:
    desk = tickets_for_desk(user)
    if slug in _VISIBILITY_IMPLIED and not desk.query.is_empty():
        desk = Ticket.objects.all()
    return desk.filter(_queue_filter(slug, user))


# Counts stop here: "mais de 1.000" is all an agent needs to know, and counting a queue of a
# million tickets would cost more than the whole rest of the page. Each count reads at most
# COUNT_LIMIT + 1 index entries, so the page costs the same whatever the table's size.
COUNT_LIMIT = 1000


def capped_counts(querysets: list[QuerySet]) -> list[int]:
    """How many rows each queryset holds, up to COUNT_LIMIT + 1 (meaning "more than the
    limit"), in one query: SELECT (SELECT count(*) FROM (… LIMIT 1001)), …"""
    parts, params = [], []
    for queryset in querysets:
        limited = queryset.order_by().values("pk")[: COUNT_LIMIT + 1]
        try:
            sql, sql_params = limited.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing, e.g. none()
            parts.append("0")
            continue
        # The ORM's own SQL, with its parameters passed separately.
        parts.append(f"(SELECT count(*) FROM ({sql}) AS limited_{len(parts)})")  # noqa: S608
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return list(cursor.fetchone())


def queue_counts_read(user: User) -> readcache.Read:
    return readcache.Read(f"desk-counts:{user.pk}", depends_on=("tickets", "catalog", "people"))


def queue_counts(*, user: User, fetched: readcache.Fetched | None = None) -> dict[str, int]:
    """How many tickets each queue holds (up to COUNT_LIMIT + 1), keyed by slug, in one
    query, or from the cache while no ticket, group or account has changed (the counts
    were most of a desk page's time). `fetched`: the page's reads, if it fetched them."""

    def count() -> dict[str, int]:
        counts = capped_counts([_queue_tickets(queue.slug, user) for queue in QUEUES])
        return {queue.slug: count for queue, count in zip(QUEUES, counts, strict=True)}

    read = queue_counts_read(user)
    return readcache.value(read, count, fetched)


@dataclass(frozen=True)
class DeskLookups:
    """What the desk shows of the catalog and the team, read once and cached until the
    catalog or an account changes: the filters' options, (id, name) in display order, and
    the names the queue's rows show, by id."""

    options: dict[str, list[tuple[int, str]]]  # keyed by the filter form's field
    cards: dict[int, str]
    subjects: dict[int, str]
    groups: dict[int, str]
    agents: dict[int, str]
    # Groups without an active member: their tickets reach nobody unless someone takes them.
    empty_groups: frozenset[int] = frozenset()


def _lookups() -> DeskLookups:
    services = list(Service.objects.order_by("title").values_list("pk", "title", "is_active"))
    subjects = list(
        Subject.objects.order_by("service__title", "name").values_list(
            "pk", "service__title", "name"
        )
    )
    groups_members = list(
        with_active_member_count(SupportGroup.objects.order_by("name")).values_list(
            "pk", "name", "active_members"
        )
    )
    groups = [(pk, name) for pk, name, _ in groups_members]
    # Agents are the members of a group, plus the supervisors.
    agents = list(
        User.objects.filter(
            Q(is_supervisor=True) | Q(pk__in=SupportGroup.members.through.objects.values("user"))
        )
        .order_by("full_name", "pk")
        .values_list("pk", "full_name")
    )
    return DeskLookups(
        options={
            "card": [(pk, title) for pk, title, active in services if active],
            # Subjects of different cards may share a name ("Outros"): the card comes first.
            "assunto": [(pk, f"{card} — {name}") for pk, card, name in subjects],
            "grupo": groups,
            "tecnico": agents,
        },
        cards={pk: title for pk, title, _ in services},
        subjects={pk: name for pk, _, name in subjects},
        groups=dict(groups),
        agents=dict(agents),
        empty_groups=frozenset(pk for pk, _, active in groups_members if not active),
    )


DESK_LOOKUPS = readcache.Read("desk-lookups", depends_on=("catalog", "people"))


def desk_lookups(fetched: readcache.Fetched | None = None) -> DeskLookups:
    return readcache.value(DESK_LOOKUPS, _lookups, fetched)


# ?ordem= value -> ORDER BY. Every ordering ends on -pk so that pages never overlap.
_STATUS_ORDER = Case(
    *(When(status=status, then=Value(index)) for index, status in enumerate(Status)),
    default=Value(len(Status)),
)
ORDERINGS = {
    "-atualizado": ("-last_interaction_at",),
    "atualizado": ("last_interaction_at",),
    "-aberto": ("-created_at",),
    "aberto": ("created_at",),
    "numero": ("pk",),
    "-numero": (),
    # The lifecycle's order (Novo … Fechado), not the alphabetical order of the codes.
    "status": (_STATUS_ORDER.asc(),),
    "-status": (_STATUS_ORDER.desc(),),
}
DEFAULT_ORDERING = "-atualizado"

# A ticket number ("1234", "#1234") or a CPF as people type it ("123.456.789-09").
_DIGITS = re.compile(r"#?\s*([0-9]+)")
_PUNCTUATED_DIGITS = re.compile(r"[0-9][0-9.\-]*[0-9]")
CPF_SEARCH_MIN_DIGITS = 6
# A ticket number beyond a bigint cannot exist; do not send it to the database.
_MAX_NUMBER_DIGITS = 18


def _cpf_filter(digits: str) -> Q:
    if len(digits) < CPF_SEARCH_MIN_DIGITS:
        return Q(pk__in=[])  # matches nothing
    return Q(requester__cpf__contains=digits)


# The ticket's stored answers document (tickets migrations 0008 and 0009: a column the model
# does not declare, and the only one of that name in the query, so unqualified) against the
# words as SearchQuery(search_type="websearch") writes them, accents and case folded by the
# text search configuration (core/search.py).
ANSWERS_MATCH = f"search_document @@ websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"


def _search_candidates(tickets: QuerySet[Ticket], text: str, order_by: tuple) -> QuerySet:
    """The ids of up to COUNT_LIMIT + 1 tickets whose requester name, subject name, answers
    or timeline text match: one UNION ALL of subqueries that each go through an index
    (tickets migrations 0005 and 0008, whose expressions these must match), cheapest first,
    so PostgreSQL stops reading as soon as it has enough. Ids may repeat (`IN` does not
    mind).

    The page then orders and pages these like any queue. Without the limit, a word found in
    a fifth of a million tickets made PostgreSQL fetch and check every match first (72 s,
    bench/results/explain-1m.txt); past COUNT_LIMIT the page says "mais de 1000" anyway and
    asks for a narrower search. The cost of the limit, for such a word: the 1,001 are the
    first tickets in the page's order whose answers match, then (if fewer) the timeline's
    matches in the table's storage order, not the first of all matches. On a million
    tickets: bench/results/explain-search-1m.txt."""
    # Imported here: django.contrib.postgres is installed only on PostgreSQL.
    from django.contrib.postgres.search import SearchQuery, SearchVector

    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    # The parts read from tickets keep to `tickets` (what the agent may see, the queue and
    # the filters), checked on the ticket's own row, so the limit counts tickets the page
    # can show; the timeline's part comes last.
    tickets = tickets.order_by()
    # Requesters and subjects are small tables; their tickets come through the FK indexes.
    # Each word somewhere in the name ("joao araujo" finds "João Conceição Araújo").
    requesters = User.objects.filter(
        Q.create([("full_name__folded_contains", word) for word in text.split()])
    ).values("pk")
    subjects = (
        Subject.objects.annotate(document=SearchVector("name", config=SEARCH_CONFIG))
        .filter(document=query)
        .values("pk")
    )
    # The answers through the document stored with each ticket (migration 0008), in the
    # page's order: for a common word PostgreSQL walks the index of that order (the queue's
    # own, for the default one), checks the stored document and stops at the 1,001st match;
    # a rare word comes from its GIN index. (On the expression alone, a common word meant
    # reading its whole posting list.)
    in_answer_text = RawSQL(ANSWERS_MATCH, (text,), output_field=BooleanField())  # noqa: S611 - words as a parameter
    in_answers = (
        tickets.filter(in_answer_text)
        .order_by(*order_by)
        .values_list("pk", flat=True)[: COUNT_LIMIT + 1]
    )
    # The timeline's text through its GIN index. The entries' tickets are left to the
    # page's own filters: joined to `tickets` here, a word the statistics do not know made
    # PostgreSQL hash the whole visible table first (450 ms).
    in_entries = TimelineEntry.objects.order_by().filter(body_text__search=query)
    return (
        tickets.filter(requester__in=requesters)
        .values_list("pk", flat=True)
        .union(
            tickets.filter(subject__in=subjects).values_list("pk", flat=True),
            in_answers,
            in_entries.values_list("ticket_id", flat=True),
            all=True,
        )[: COUNT_LIMIT + 1]
    )


def _text_filter(
    tickets: QuerySet[Ticket], text: str, order_by: tuple
) -> tuple[QuerySet[Ticket], Q]:
    """The requester's name, the subject, the answers and the timeline's text, whatever the
    accents and the case (core/search.py): full-text search on PostgreSQL; on SQLite, each
    word as a folded substring, all of them in the same place, as PostgreSQL asks of its
    documents."""
    if settings.IS_POSTGRESQL:
        # One candidate set, found through the indexes, then the page filters, orders and
        # pages it. An OR of the parts over the whole table (even as hashed subqueries)
        # made PostgreSQL fetch every match of a common word before the first row.
        return tickets, Q(pk__in=_search_candidates(tickets, text, order_by))
    words = text.split()

    def each_word(field: str) -> Q:
        return Q.create([(f"{field}__folded_contains", word) for word in words])

    in_entries = TimelineEntry.objects.filter(each_word("body_text"), ticket=OuterRef("pk"))
    # SQLite stores the answers' JSON with its accents escaped: match their decoded strings.
    answers_text = Func(Cast("answers", TextField()), function=SQLITE_JSON_TEXT)
    tickets = tickets.alias(answers_text=answers_text)
    return tickets, (
        each_word("requester__full_name")
        | each_word("subject__name")
        | each_word("answers_text")
        | Exists(in_entries)
    )


def _search(tickets: QuerySet[Ticket], text: str, order_by: tuple) -> QuerySet[Ticket]:
    """Digits find the ticket with that number and, from six digits on, the requesters whose
    CPF contains them; anything else is text. Digits with dots or hyphens are a CPF being
    typed, or text such as a process number: both are looked for."""
    text = text.strip()
    if not text:
        return tickets
    if match := _DIGITS.fullmatch(text):
        digits = match.group(1)
        condition = _cpf_filter(digits)
        if len(digits) <= _MAX_NUMBER_DIGITS:
            condition |= Q(pk=int(digits))
        return tickets.filter(condition)
    tickets, condition = _text_filter(tickets, text, order_by)
    if _PUNCTUATED_DIGITS.fullmatch(text):
        condition |= _cpf_filter(text.replace(".", "").replace("-", ""))
    return tickets.filter(condition)


def _opened_bounds(opened_from: date | None, opened_to: date | None) -> Q:
    # Whole days in the portal's time zone; "to" includes the day itself. Plain comparisons
    # on created_at (rather than __date) keep its index usable.
    bounds = Q()
    zone = timezone.get_current_timezone()
    if opened_from:
        bounds &= Q(created_at__gte=datetime.combine(opened_from, time.min, tzinfo=zone))
    if opened_to:
        next_day = opened_to + timedelta(days=1)
        bounds &= Q(created_at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
    return bounds


# What a row of the queue reads: the ticket's own columns and its requester's name. The
# names of its card, subject, group and agent come from desk_lookups(): joining those four
# tables made PostgreSQL spend ~2 ms planning each page for 0.3 ms of work.
QUEUE_ROW_COLUMNS = (
    "pk",
    "status",
    "waiting_on",
    "created_at",
    "last_interaction_at",
    "service_id",
    "subject_id",
    "assigned_group_id",
    "assigned_agent_id",
    "requester__full_name",
)


_AGENT_COLUMN = QUEUE_ROW_COLUMNS.index("assigned_agent_id")


@dataclass(frozen=True, slots=True)
class QueueRow(StatusLabelled):
    number: int
    status: str
    waiting_on: str
    created_at: datetime
    last_interaction_at: datetime
    card: str
    subject: str
    group: str  # "" when none
    agent: str  # "" when none
    requester: str
    unattended: bool = False  # no agent, and a group without active members


def queue_rows(page: QuerySet[Ticket], lookups: DeskLookups) -> list[QueueRow]:
    """A page of desk_ticket_list() as rows, named from the lookups. An agent who left every
    group is no longer among them: such names are read in one query."""
    values = list(page.values_list(*QUEUE_ROW_COLUMNS))
    agent_ids = {row[_AGENT_COLUMN] for row in values if row[_AGENT_COLUMN]}
    missing = agent_ids - lookups.agents.keys()
    agents = lookups.agents
    if missing:
        agents = {
            **agents,
            **dict(User.objects.filter(pk__in=missing).values_list("pk", "full_name")),
        }
    return [
        QueueRow(
            number=pk,
            status=status,
            waiting_on=waiting_on,
            created_at=created_at,
            last_interaction_at=last_interaction_at,
            card=lookups.cards.get(service_id, ""),
            subject=lookups.subjects.get(subject_id, ""),
            group=lookups.groups.get(group_id, "") if group_id else "",
            agent=agents.get(agent_id, "") if agent_id else "",
            requester=requester,
            unattended=not agent_id and (group_id is None or group_id in lookups.empty_groups),
        )
        for (
            pk,
            status,
            waiting_on,
            created_at,
            last_interaction_at,
            service_id,
            subject_id,
            group_id,
            agent_id,
            requester,
        ) in values
    ]


def desk_ticket_list(
    *,
    user: User,
    queue: str = DEFAULT_QUEUE,
    text: str = "",
    ordering: str = DEFAULT_ORDERING,
    status: str | None = None,
    service=None,
    subject=None,
    group=None,
    agent=None,
    opened_from: date | None = None,
    opened_to: date | None = None,
) -> QuerySet[Ticket]:
    """The tickets of one queue of the user's desk, filtered, searched and ordered; a page
    of it becomes rows with queue_rows(). Unknown queues and orderings fall back to the
    defaults. Models or their ids are accepted for service, subject, group and agent."""
    if queue not in QUEUE_SLUGS:
        queue = DEFAULT_QUEUE
    tickets = _queue_tickets(queue, user)
    filters = {
        "status": status,
        "service": service,
        "subject": subject,
        "assigned_group": group,
        "assigned_agent": agent,
    }
    tickets = tickets.filter(**{name: value for name, value in filters.items() if value})
    tickets = tickets.filter(_opened_bounds(opened_from, opened_to))
    order_by = ORDERINGS.get(ordering, ORDERINGS[DEFAULT_ORDERING])
    if "pk" not in order_by:
        order_by = (*order_by, "-pk")
    return _search(tickets, text, order_by).order_by(*order_by)


class SearchedTickets:
    """The tickets of a search in page order, by id, for the paginator: a slice is a
    queryset of only that page's tickets (queue_rows reads it like any page)."""

    def __init__(self, ids: list[int], ordering: tuple):
        self.ids = ids
        self.ordering = ordering

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, page: slice) -> QuerySet[Ticket]:
        return Ticket.objects.filter(pk__in=self.ids[page]).order_by(*self.ordering)


def searched_once(tickets: QuerySet[Ticket]) -> tuple[SearchedTickets, int]:
    """A searched list (from desk_ticket_list) read once, on PostgreSQL: the ids of up to
    COUNT_LIMIT + 1 of its tickets in page order, which is its capped count, then each page
    reads only its own tickets by primary key. The pager's count and the page would
    otherwise each run the search's index scans (~90 ms each for a common word on a million
    tickets), and the page would read and sort all 1,001 again for its 25."""
    ordering = tickets.query.order_by
    ids = list(tickets.values_list("pk", flat=True)[: COUNT_LIMIT + 1])
    return SearchedTickets(ids, ordering), len(ids)
