"""Pages that belong to no single domain app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string

from servicedesk.catalog.selectors import catalog_for_home
from servicedesk.core import readcache
from servicedesk.tickets.selectors import counter_items, ticket_counters_for_requester

CATALOG_TEMPLATE = "catalog/partials/_catalog.html"


def _catalog_html(request, category_slug: str, query: str) -> str:
    """The search, the category tabs and the cards. The same for everybody: without a search
    or a tab (the home as people land on it) it is rendered once until the catalog changes."""

    def render_catalog() -> str:
        catalog = catalog_for_home(category_slug=category_slug, query=query)
        return render_to_string(CATALOG_TEMPLATE, {"catalog": catalog}, request)

    if category_slug or query:
        return render_catalog()
    return readcache.cached("home-catalog-html", depends_on=("catalog",), compute=render_catalog)


@login_required
def home(request):
    """Counters of the user's tickets, the category tabs and the card grid with search."""
    category_slug = request.GET.get("categoria", "")
    query = request.GET.get("q", "")
    if request.htmx and request.htmx.target == "catalogo-cards":
        catalog = catalog_for_home(category_slug=category_slug, query=query)
        return render(request, "catalog/partials/_cards.html", {"catalog": catalog})
    context = {
        "catalog_html": _catalog_html(request, category_slug, query),
        "counters": counter_items(ticket_counters_for_requester(user=request.user)),
    }
    return render(request, "core/home.html", context)
