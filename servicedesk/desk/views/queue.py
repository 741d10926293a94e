"""The desk's queues: tabs with counts, filters, search, sorting and pages of tickets."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from ..decorators import agent_required
from ..forms import QueueFilterForm
from ..selectors import DEFAULT_QUEUE, QUEUES, desk_ticket_list, queue_counts

PAGE_SIZE = 25
# The id of the region the tabs, the filters and the links swap with htmx.
REGION_ID = "mesa-fila"
# The table's columns: (key, label, ?ordem= when first clicked, ?ordem= that reverses it).
COLUMNS = (
    ("numero", "Número", "-numero", "numero"),
    ("status", "Status", "status", "-status"),
    ("card", "Card", None, None),
    ("assunto", "Assunto", None, None),
    ("requerente", "Requerente", None, None),
    ("grupo", "Grupo", None, None),
    ("tecnico", "Técnico", None, None),
    ("aberto", "Aberto em", "-aberto", "aberto"),
    ("atualizado", "Última atualização", "-atualizado", "atualizado"),
)


def _query(params: dict[str, str]) -> str:
    return f"?{urlencode(params)}" if params else ""


def _columns(form: QueueFilterForm) -> list[dict]:
    """Headers of the table; a sortable one links to its sort, or to the reverse when the
    table is already sorted by it."""
    columns = []
    for key, label, first, reverse in COLUMNS:
        column = {"key": key, "label": label, "sort_url": None, "aria_sort": ""}
        if first:
            target = reverse if form.ordering == first else first
            column["sort_url"] = _query(form.query_params(ordem=target))
            if form.ordering.lstrip("-") == key:
                descending = form.ordering.startswith("-")
                column["aria_sort"] = "descending" if descending else "ascending"
        columns.append(column)
    return columns


@agent_required
def queue(request):
    form = QueueFilterForm(request.GET)
    form.is_valid()  # bad fields are reported on the page and left out of the filters
    tickets = desk_ticket_list(
        user=request.user,
        queue=form.queue,
        text=form.text,
        ordering=form.ordering,
        **form.selector_filters(),
    )
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("pagina"))
    counts = queue_counts(user=request.user)
    query_prefix = urlencode(form.query_params())
    context = {
        "form": form,
        "page": page,
        "tabs": [
            (item, counts[item.slug], _query(form.query_params(fila=item.slug))) for item in QUEUES
        ],
        "current_queue": next(item for item in QUEUES if item.slug == form.queue),
        "columns": _columns(form),
        "query_prefix": f"{query_prefix}&" if query_prefix else "",
        "clear_url": _query({"fila": form.queue} if form.queue != DEFAULT_QUEUE else {}),
        "region_id": REGION_ID,
    }
    if request.htmx and request.htmx.target == REGION_ID:
        response = render(request, "desk/partials/_queue_region.html", context)
    else:
        response = render(request, "desk/queue.html", context)
    # The same address answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
