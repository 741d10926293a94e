"""The desk's queues: tabs with counts, filters, search, sorting and pages of tickets."""

import hashlib
from math import ceil
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

from servicedesk.core import readcache
from servicedesk.core.pagination import KnownCountPaginator

from ..decorators import agent_required
from ..forms import QueueFilterForm
from ..rendering import COLUMNS, queue_rows_html
from ..selectors import (
    COUNT_LIMIT,
    DEFAULT_QUEUE,
    DESK_LOOKUPS,
    QUEUES,
    capped_counts,
    desk_lookups,
    desk_ticket_list,
    queue_counts,
    queue_counts_read,
    queue_rows,
    searched_once,
)

PAGE_SIZE = 25
# The id of the region the tabs, the filters and the links swap with htmx.
REGION_ID = "mesa-fila"


class CappedPaginator(KnownCountPaginator):
    """Counts at most COUNT_LIMIT + 1 tickets (see selectors.COUNT_LIMIT); past the limit the
    pages stop there and the page says "mais de 1.000": search and filters find the rest.
    `known_count` spares the query when the count is already known (the queue's tab)."""

    def _count_objects(self) -> int:
        return capped_counts([self.object_list])[0]

    @property
    def is_capped(self) -> bool:
        return self.count > COUNT_LIMIT

    @cached_property
    def num_pages(self) -> int:
        return max(1, ceil(min(self.count, COUNT_LIMIT) / self.per_page))


def _query(params: dict[str, str]) -> str:
    return f"?{urlencode(params)}" if params else ""


def _columns(form: QueueFilterForm) -> list[dict]:
    """Headers of the table; a sortable one links to its sort, or to the reverse when the
    table is already sorted by it."""
    columns = []
    for key, label, first, then in COLUMNS:
        column = {"key": key, "label": label, "sort_url": None, "aria_sort": ""}
        if first:
            target = then if form.ordering == first else first
            column["sort_url"] = _query(form.query_params(ordem=target))
            if form.ordering.lstrip("-") == key:
                descending = form.ordering.startswith("-")
                column["aria_sort"] = "descending" if descending else "ascending"
        columns.append(column)
    return columns


FILTERS_TEMPLATE = "desk/partials/_queue_filters.html"


def _filters_read(request) -> readcache.Read | None:
    """The search and filters block's cached read. Its HTML depends only on the query and on
    the options (the catalog and the team), so it is rendered once per query until one of
    those changes: its ~110 options and eight fields were a third of a queue page's
    rendering. Searches, free text that rarely repeats, are rendered each time instead of
    filling the cache (None)."""
    if request.GET.get("busca"):
        return None
    fields = QueueFilterForm.base_fields
    query = sorted((name, value) for name, value in request.GET.items() if name in fields)
    key = hashlib.sha256(urlencode(query).encode()).hexdigest()[:32]
    return readcache.Read(f"desk-filters:{key}", depends_on=("catalog", "people"))


def _reads(request) -> list[readcache.Read]:
    reads = [DESK_LOOKUPS, queue_counts_read(request.user)]
    if filters_read := _filters_read(request):
        reads.append(filters_read)
    return reads


@agent_required(reads=_reads)
def queue(request, fetched: readcache.Fetched):
    filters_read = _filters_read(request)
    lookups = desk_lookups(fetched)
    form = QueueFilterForm(request.GET, options=lookups.options)
    form.is_valid()  # bad fields are reported on the page and left out of the filters
    filters = form.selector_filters()
    tickets = desk_ticket_list(
        user=request.user, queue=form.queue, text=form.text, ordering=form.ordering, **filters
    )
    counts = queue_counts(user=request.user, fetched=fetched)
    # Without search or filters the page holds the whole queue: its tab already counted it.
    known = counts[form.queue] if not (form.text or filters) else None
    if form.text and settings.IS_POSTGRESQL:
        tickets, known = searched_once(tickets)
    paginator = CappedPaginator(tickets, PAGE_SIZE, known_count=known)
    page = paginator.get_page(request.GET.get("pagina"))
    rows = queue_rows(page.object_list, lookups)
    query_prefix = urlencode(form.query_params())
    context = {
        "form": form,
        "page": page,
        "rows_html": queue_rows_html(rows),
        "tabs": [
            (item, counts[item.slug], _query(form.query_params(fila=item.slug))) for item in QUEUES
        ],
        "current_queue": next(item for item in QUEUES if item.slug == form.queue),
        "columns": _columns(form),
        "query_prefix": f"{query_prefix}&" if query_prefix else "",
        "clear_url": _query({"fila": form.queue} if form.queue != DEFAULT_QUEUE else {}),
        "region_id": REGION_ID,
        # Reversed once: the tabs, the column headers and the filters link to it ~20 times.
        "queue_url": reverse("desk:queue"),
        "count_limit": COUNT_LIMIT,
    }

    def render_filters() -> str:
        return render_to_string(FILTERS_TEMPLATE, context, request)

    context["filters_html"] = (
        fetched.value(filters_read, render_filters) if filters_read else render_filters()
    )
    if request.htmx and request.htmx.target == REGION_ID:
        response = render(request, "desk/partials/_queue_region.html", context)
    else:
        response = render(request, "desk/queue.html", context)
    # The same address answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
