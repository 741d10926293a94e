"""Supervisor reports of the desk: aggregate reads over tickets and surveys, and the tables the
page shows and the CSV files export.

Every function takes the period (`start`, `end`: whole days in the project's time zone, `end`
included) and an optional support group as keyword arguments, and runs one or two aggregate
queries whatever the number of tickets: rows are groups of the database, never one query each.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone

from servicedesk.catalog.models import SupportGroup
from servicedesk.surveys.models import STAR_MEANINGS, Survey
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.status import Status

# A period up to this many days is shown day by day; a longer one month by month.
DAILY_MAX_DAYS = 31
NO_GROUP = "Sem grupo"
NO_AGENT = "Sem técnico"
STARS = tuple(STAR_MEANINGS)  # 1 … 5
MONTH_NAMES = (
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)


# --- Period ---------------------------------------------------------------------------------


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the project's time zone: plain comparisons,
    so the indexes on the date columns stay usable."""
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _in_period(column: str, start: date, end: date) -> Q:
    low, high = period_bounds(start, end)
    return Q(**{f"{column}__gte": low, f"{column}__lt": high})


def _tickets(group: SupportGroup | None) -> QuerySet[Ticket]:
    # order_by(): no model ordering may slip into a GROUP BY.
    tickets = Ticket.objects.order_by()
    return tickets.filter(assigned_group=group) if group else tickets


def _local_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        return value.date()
    return value


def is_daily(start: date, end: date) -> bool:
    return (end - start).days + 1 <= DAILY_MAX_DAYS


def _months(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


# --- 1 to 3. Opened and resolved -----------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """Tickets opened (created in the period) and resolved (resolved_at in the period)."""

    label: str
    opened: int
    resolved: int


def _volume_total(rows: Iterable[Volume]) -> Volume:
    rows = list(rows)
    return Volume("Total", sum(r.opened for r in rows), sum(r.resolved for r in rows))


def volume_by_period(
    *, start: date, end: date, group: SupportGroup | None = None
) -> tuple[bool, list[tuple[date, Volume]]]:
    """Per day (periods up to 31 days) or per month, every day or month of the period listed,
    zeros included. Returns (daily, [(day or first of month, volume)])."""
    daily = is_daily(start, end)
    trunc = TruncDay if daily else TruncMonth
    zone = timezone.get_default_timezone()
    counts: dict[str, dict[date, int]] = {}
    for column in ("created_at", "resolved_at"):
        rows = (
            _tickets(group)
            .filter(_in_period(column, start, end))
            .annotate(bucket=trunc(column, tzinfo=zone))
            .values("bucket")
            .annotate(count=Count("pk"))
        )
        counts[column] = {_local_date(row["bucket"]): row["count"] for row in rows}
    if daily:
        buckets = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    else:
        buckets = _months(start, end)
    return daily, [
        (
            bucket,
            Volume(
                period_label(bucket, daily=daily),
                counts["created_at"].get(bucket, 0),
                counts["resolved_at"].get(bucket, 0),
            ),
        )
        for bucket in buckets
    ]


def period_label(bucket: date, *, daily: bool) -> str:
    if daily:
        return bucket.strftime("%d/%m/%Y")
    return f"{MONTH_NAMES[bucket.month - 1]} de {bucket.year}"


def _label(pk, name: str | None, empty_label: str) -> str:
    return empty_label if pk is None else name or ""


def _sorted(rows: Iterable[tuple]) -> list:
    """(pk, label, item) rows -> items, alphabetical, the "without" bucket (no group, no
    agent) last, whatever the database's collation."""
    rows = sorted(rows, key=lambda row: (row[0] is None, row[1].casefold(), row[0] or 0))
    return [item for _pk, _label, item in rows]


def _volume_by(key: str, name: str, empty_label: str, *, start, end, group) -> list[Volume]:
    """One query: the tickets opened or resolved in the period, grouped by `key`."""
    opened, resolved = _in_period("created_at", start, end), _in_period("resolved_at", start, end)
    rows = (
        _tickets(group)
        .filter(opened | resolved)
        .values(key, name)
        .annotate(opened=Count("pk", filter=opened), resolved=Count("pk", filter=resolved))
    )
    labelled = []
    for row in rows:
        label = _label(row[key], row[name], empty_label)
        labelled.append((row[key], label, Volume(label, row["opened"], row["resolved"])))
    return _sorted(labelled)


def volume_by_card(*, start: date, end: date, group: SupportGroup | None = None) -> list[Volume]:
    return _volume_by("service", "service__title", "", start=start, end=end, group=group)


def volume_by_group(*, start: date, end: date, group: SupportGroup | None = None) -> list[Volume]:
    return _volume_by(
        "assigned_group", "assigned_group__name", NO_GROUP, start=start, end=end, group=group
    )


# --- 4. Backlog ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    status: Status
    count: int

    @property
    def label(self) -> str:
        return self.status.label


def backlog_by_status(*, group: SupportGroup | None = None, **_period) -> list[Backlog]:
    """Tickets not closed, now, per status in the lifecycle's order (zeros included). The
    period does not apply: the backlog is today's."""
    counts = dict(
        _tickets(group)
        .exclude(status=Status.CLOSED)
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return [
        Backlog(status, counts.get(status.value, 0)) for status in Status if status != Status.CLOSED
    ]


# --- 5. Median times --------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated between the two middle
    values like statistics.median; NULLs (not answered, not resolved) are left out."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class EpochSeconds(Func):
    """The seconds of an interval (a DurationField expression), as a float."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
    output_field = FloatField()


@dataclass(frozen=True)
class Times:
    """Median time to the first public answer and to resolution, with how many tickets each
    median is based on, for the tickets opened in the period."""

    label: str
    first_response: timedelta | None
    first_response_count: int
    resolution: timedelta | None
    resolution_count: int


MEASURES = {"first_response": "first_response_at", "resolution": "resolved_at"}


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def _median_of_sorted(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def _times_postgresql(tickets: QuerySet[Ticket]) -> tuple[dict, list[dict]]:
    aggregates = {}
    for measure, column in MEASURES.items():
        aggregates[measure] = Median(EpochSeconds(F(column) - F("created_at")))
        aggregates[f"{measure}_count"] = Count(column)
    overall = tickets.aggregate(**aggregates)
    per_group = list(
        tickets.values("assigned_group", "assigned_group__name").annotate(**aggregates)
    )
    return overall, per_group


def _times_sqlite(tickets: QuerySet[Ticket]) -> tuple[dict, list[dict]]:
    # SQLite has no median (percentile) aggregate, and the one of its optional extension is
    # not compiled into Python's sqlite3. SQLite is the zero-setup development database, so the
    # durations come back ordered, one query per measure, and the middle ones are picked here
    # (splitting an ordered list by group keeps each part ordered). The first query lists
    # every ticket opened in the period, answered or not (NULLs first, skipped), so groups
    # without any answer show as they do on PostgreSQL.
    overall: dict = {}
    groups: dict[object, dict] = {}
    for index, (measure, column) in enumerate(MEASURES.items()):
        rows = tickets.annotate(duration=F(column) - F("created_at"))
        if index:
            rows = rows.filter(**{f"{column}__isnull": False})
        rows = rows.order_by("duration", "pk").values_list(
            "assigned_group", "assigned_group__name", "duration"
        )
        everything: list[float] = []
        by_group: dict[object, list[float]] = defaultdict(list)
        for group_pk, group_name, duration in rows:
            groups.setdefault(
                group_pk,
                {"assigned_group": group_pk, "assigned_group__name": group_name},
            )
            if duration is not None:
                everything.append(duration.total_seconds())
                by_group[group_pk].append(duration.total_seconds())
        overall[measure] = _median_of_sorted(everything)
        overall[f"{measure}_count"] = len(everything)
        for group_pk, row in groups.items():
            row[measure] = _median_of_sorted(by_group[group_pk])
            row[f"{measure}_count"] = len(by_group[group_pk])
    return overall, list(groups.values())


def _times(label: str, row: dict) -> Times:
    return Times(
        label,
        _seconds(row["first_response"]),
        row["first_response_count"],
        _seconds(row["resolution"]),
        row["resolution_count"],
    )


def median_times(
    *, start: date, end: date, group: SupportGroup | None = None
) -> tuple[Times, list[Times]]:
    """(all the tickets opened in the period, [per group with tickets opened in it])."""
    tickets = _tickets(group).filter(_in_period("created_at", start, end))
    compute = _times_postgresql if settings.IS_POSTGRESQL else _times_sqlite
    overall, per_group = compute(tickets)
    rows = []
    for row in per_group:
        label = _label(row["assigned_group"], row["assigned_group__name"], NO_GROUP)
        rows.append((row["assigned_group"], label, _times(label, row)))
    return _times("Todos os chamados", overall), _sorted(rows)


# --- 6. Satisfaction --------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """Surveys answered in the period: how many gave each number of stars."""

    label: str
    distribution: tuple[int, ...]  # counts of 1 … 5 stars

    @property
    def count(self) -> int:
        return sum(self.distribution)

    @property
    def average(self) -> Decimal | None:
        """To one decimal, half up, computed exactly from the distribution."""
        if not self.count:
            return None
        total = sum(stars * n for stars, n in zip(STARS, self.distribution, strict=True))
        return (Decimal(total) / Decimal(self.count)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def shares(self) -> tuple[tuple[int, Decimal], ...]:
        """(count, percentage to one decimal) of each number of stars."""
        return tuple(
            (n, (Decimal(100 * n) / Decimal(self.count)).quantize(Decimal("0.1"), ROUND_HALF_UP))
            if self.count
            else (0, Decimal("0.0"))
            for n in self.distribution
        )


SATISFACTION_DIMENSIONS = {
    "card": ("ticket__service", "ticket__service__title", ""),
    "group": ("ticket__assigned_group", "ticket__assigned_group__name", NO_GROUP),
    "agent": ("ticket__assigned_agent", "ticket__assigned_agent__full_name", NO_AGENT),
}


def surveys_in_period(
    *, start: date, end: date, group: SupportGroup | None = None
) -> QuerySet[Survey]:
    surveys = Survey.objects.filter(_in_period("answered_at", start, end))
    return surveys.filter(ticket__assigned_group=group) if group else surveys


def satisfaction_by(
    dimension: str, *, start: date, end: date, group: SupportGroup | None = None
) -> tuple[Satisfaction, list[Satisfaction]]:
    """(all the surveys, [per card, group or agent]) in one query: every survey is in exactly
    one row, so the overall figures are the sum of the rows."""
    key, name, empty_label = SATISFACTION_DIMENSIONS[dimension]
    star_counts = {f"stars_{n}": Count("pk", filter=Q(stars=n)) for n in STARS}
    rows = (
        surveys_in_period(start=start, end=end, group=group)
        .order_by()
        .values(key, name)
        .annotate(**star_counts)
    )
    labelled = []
    for row in rows:
        label = _label(row[key], row[name], empty_label)
        distribution = tuple(row[f"stars_{n}"] for n in STARS)
        labelled.append((row[key], label, Satisfaction(label, distribution)))
    items = _sorted(labelled)
    total = tuple(sum(item.distribution[i] for item in items) for i in range(len(STARS)))
    return Satisfaction("Todas as respostas", total), items


def survey_comments(*, start: date, end: date, group: SupportGroup | None = None) -> QuerySet:
    """Surveys with a comment, most recent first, as rows of what the list shows (plain
    values: no ticket, card and user objects built for thousands of rows of a CSV file)."""
    return (
        surveys_in_period(start=start, end=end, group=group)
        .exclude(comment="")
        .order_by("-answered_at", "-pk")
        .values(
            "ticket_id",
            "answered_at",
            "stars",
            "comment",
            "ticket__service__title",
            "ticket__assigned_agent__full_name",
        )
    )


# --- Tables: what the page shows and the CSV files export --------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    # text | count | decimal | duration | share (count, %) | ticket (a number) | datetime
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        """Right-aligned, with equal-width figures."""
        return self.kind in {"count", "decimal", "duration", "share"}


@dataclass
class Table:
    slug: str
    title: str
    caption: str
    columns: tuple[Column, ...]
    rows: list[tuple] = field(default_factory=list)  # the first cell heads its row
    total: tuple | None = None
    empty_message: str = "Nenhum dado no período escolhido."
    note: str = ""


VOLUME_COLUMNS = (Column("Abertos", "count"), Column("Resolvidos", "count"))
TIMES_COLUMNS = (
    Column("Mediana até a primeira resposta", "duration"),
    Column("Chamados respondidos", "count"),
    Column("Mediana até a resolução", "duration"),
    Column("Chamados resolvidos", "count"),
)
SATISFACTION_COLUMNS = (
    Column("Média (1 a 5)", "decimal"),
    Column("Respostas", "count"),
    *(Column(f"{n} estrela{'s' if n > 1 else ''}", "share") for n in STARS),
)


def _volume_cells(volume: Volume) -> tuple:
    return (volume.label, volume.opened, volume.resolved)


def _period_caption(start: date, end: date) -> str:
    return f"de {start:%d/%m/%Y} a {end:%d/%m/%Y}"


def volume_period_table(*, start, end, group=None) -> Table:
    daily, rows = volume_by_period(start=start, end=end, group=group)
    volumes = [volume for _bucket, volume in rows]
    return Table(
        slug="abertos-resolvidos-por-periodo",
        title="Abertos e resolvidos por período",
        caption=f"Chamados abertos e resolvidos por {'dia' if daily else 'mês'}, "
        f"{_period_caption(start, end)}",
        columns=(Column("Dia" if daily else "Mês"), *VOLUME_COLUMNS),
        rows=[_volume_cells(volume) for volume in volumes],
        total=_volume_cells(_volume_total(volumes)),
    )


def _volume_table(volumes: list[Volume], *, by: str, start, end) -> Table:
    """Opened and resolved per card or per group ("card", "grupo")."""
    return Table(
        slug=f"abertos-resolvidos-por-{by}",
        title=f"Abertos e resolvidos por {by}",
        caption=f"Chamados abertos e resolvidos por {by}, {_period_caption(start, end)}",
        columns=(Column(by.capitalize()), *VOLUME_COLUMNS),
        rows=[_volume_cells(volume) for volume in volumes],
        total=_volume_cells(_volume_total(volumes)),
        empty_message="Nenhum chamado aberto ou resolvido no período.",
    )


def volume_card_table(*, start, end, group=None) -> Table:
    volumes = volume_by_card(start=start, end=end, group=group)
    return _volume_table(volumes, by="card", start=start, end=end)


def volume_group_table(*, start, end, group=None) -> Table:
    volumes = volume_by_group(start=start, end=end, group=group)
    return _volume_table(volumes, by="grupo", start=start, end=end)


def backlog_table(*, start, end, group=None) -> Table:
    backlog = backlog_by_status(group=group)
    return Table(
        slug="backlog-por-status",
        title="Backlog por status",
        caption="Chamados não fechados por status, hoje",
        columns=(Column("Status"), Column("Chamados", "count")),
        rows=[(item.label, item.count) for item in backlog],
        total=("Total", sum(item.count for item in backlog)),
        note="Situação atual: o período escolhido não se aplica a esta tabela.",
    )


def _times_cells(times: Times) -> tuple:
    return (
        times.label,
        times.first_response,
        times.first_response_count,
        times.resolution,
        times.resolution_count,
    )


def times_table(*, start, end, group=None) -> Table:
    overall, per_group = median_times(start=start, end=end, group=group)
    return Table(
        slug="tempos-medianos",
        title="Tempo mediano até a primeira resposta e até a resolução",
        caption="Tempo mediano até a primeira resposta e até a resolução dos chamados abertos "
        f"{_period_caption(start, end)}, por grupo",
        columns=(Column("Grupo"), *TIMES_COLUMNS),
        rows=[_times_cells(times) for times in per_group],
        total=_times_cells(overall),
        empty_message="Nenhum chamado aberto no período.",
        note="Somente chamados abertos no período; a mediana de cada coluna considera os "
        "chamados contados ao lado dela.",
    )


def _satisfaction_cells(item: Satisfaction) -> tuple:
    return (item.label, item.average, item.count, *item.shares)


_SATISFACTION_TABLES = {
    "card": ("satisfacao-por-card", "card", "Card"),
    "group": ("satisfacao-por-grupo", "grupo", "Grupo"),
    "agent": ("satisfacao-por-tecnico", "técnico", "Técnico"),
}


def satisfaction_table(dimension: str, *, start, end, group=None) -> Table:
    slug, noun, header = _SATISFACTION_TABLES[dimension]
    overall, items = satisfaction_by(dimension, start=start, end=end, group=group)
    return Table(
        slug=slug,
        title=f"Satisfação por {noun}",
        caption=f"Pesquisas de satisfação respondidas {_period_caption(start, end)}, por {noun}",
        columns=(Column(header), *SATISFACTION_COLUMNS),
        rows=[_satisfaction_cells(item) for item in items],
        total=_satisfaction_cells(overall),
        empty_message="Nenhuma pesquisa de satisfação respondida no período.",
    )


COMMENT_COLUMNS = (
    Column("Chamado", "ticket"),
    Column("Respondida em", "datetime"),
    Column("Estrelas", "count"),
    Column("Card"),
    Column("Técnico"),
    Column("Comentário"),
)


def comments_table(surveys: Iterable[dict], *, start, end) -> Table:
    """The comments given (a page of them on the screen, all of them in the CSV file)."""
    return Table(
        slug="comentarios",
        title="Comentários das pesquisas",
        caption=f"Comentários das pesquisas respondidas {_period_caption(start, end)}, "
        "dos mais recentes aos mais antigos",
        columns=COMMENT_COLUMNS,
        rows=[
            (
                survey["ticket_id"],
                survey["answered_at"],
                survey["stars"],
                survey["ticket__service__title"],
                survey["ticket__assigned_agent__full_name"] or NO_AGENT,
                survey["comment"],
            )
            for survey in surveys
        ],
        empty_message="Nenhum comentário nas pesquisas respondidas no período.",
    )


def _comments_csv_table(*, start, end, group=None) -> Table:
    return comments_table(survey_comments(start=start, end=end, group=group), start=start, end=end)


# Slug of the CSV file -> the table. The page shows them in this order.
TABLES = {
    "abertos-resolvidos-por-periodo": volume_period_table,
    "abertos-resolvidos-por-card": volume_card_table,
    "abertos-resolvidos-por-grupo": volume_group_table,
    "backlog-por-status": backlog_table,
    "tempos-medianos": times_table,
    "satisfacao-por-card": lambda **kw: satisfaction_table("card", **kw),
    "satisfacao-por-grupo": lambda **kw: satisfaction_table("group", **kw),
    "satisfacao-por-tecnico": lambda **kw: satisfaction_table("agent", **kw),
    "comentarios": _comments_csv_table,
}
