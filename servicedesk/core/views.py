"""Pages that belong to no single domain app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from servicedesk.catalog.selectors import catalog_for_home
from servicedesk.tickets.selectors import counter_items, ticket_counters_for_requester


@login_required
def home(request):
    """Counters of the user's tickets, the category tabs and the card grid with search."""
    catalog = catalog_for_home(
        category_slug=request.GET.get("categoria", ""), query=request.GET.get("q", "")
    )
    context = {"catalog": catalog}
    if request.htmx and request.htmx.target == "catalogo-cards":
        return render(request, "catalog/partials/_cards.html", context)
    context["counters"] = counter_items(ticket_counters_for_requester(user=request.user))
    return render(request, "core/home.html", context)
