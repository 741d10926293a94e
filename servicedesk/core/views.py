"""Pages that belong to no single domain app."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader
from django.template.loader import render_to_string
from django.views import defaults

from servicedesk.catalog.selectors import catalog_for_home
from servicedesk.core import readcache
from servicedesk.tickets.permissions import fetch_with_scope
from servicedesk.tickets.selectors import (
    counter_items,
    requester_counters_read,
    ticket_counters_for_requester,
)

CATALOG_TEMPLATE = "catalog/partials/_catalog.html"
HOME_CATALOG_HTML = readcache.Read("home-catalog-html", depends_on=("catalog",))


def _catalog_html(request, category_slug: str, query: str, fetched: readcache.Fetched) -> str:
    """The search, the category tabs and the cards. The same for everybody: without a search
    or a tab (the home as people land on it) it is rendered once until the catalog changes."""

    def render_catalog() -> str:
        catalog = catalog_for_home(category_slug=category_slug, query=query)
        return render_to_string(CATALOG_TEMPLATE, {"catalog": catalog}, request)

    if category_slug or query:
        return render_catalog()
    return fetched.value(HOME_CATALOG_HTML, render_catalog)


@login_required
def home(request):
    """Counters of the user's tickets, the category tabs and the card grid with search."""
    category_slug = request.GET.get("categoria", "")
    query = request.GET.get("q", "")
    if request.htmx and request.htmx.target == "catalogo-cards":
        catalog = catalog_for_home(category_slug=category_slug, query=query)
        return render(request, "catalog/partials/_cards.html", {"catalog": catalog})
    # The page's cached reads in one round trip to the cache (the catalog as people land).
    reads = [requester_counters_read(request.user)]
    if not (category_slug or query):
        reads.append(HOME_CATALOG_HTML)
    fetched = fetch_with_scope(request.user, *reads)
    context = {
        "catalog_html": _catalog_html(request, category_slug, query, fetched),
        "counters": counter_items(
            ticket_counters_for_requester(user=request.user, fetched=fetched)
        ),
    }
    return render(request, "core/home.html", context)


# --- Error answers: JSON in pt-BR under /api/, the portal's pages elsewhere ---------------
API_ERRORS = {
    400: "Requisição inválida.",
    403: "Acesso negado.",
    404: "Não encontrado.",
    500: "Erro interno do portal. Tente de novo em alguns minutos.",
}


def _api_error(request, status: int):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": API_ERRORS[status], "errors": {}}, status=status)
    return None


# What Django's own refusals (before any form sees the request) mean for the user.
BAD_REQUEST_REASONS = {
    RequestDataTooBig: (
        "O envio passou do tamanho aceito para textos do formulário. Encurte o texto e envie "
        "de novo; arquivos vão no campo de anexos."
    ),
    TooManyFieldsSent: "O formulário chegou com campos demais e não pôde ser lido.",
    TooManyFilesSent: "O envio tem arquivos demais e não pôde ser lido.",
    MultiPartParserError: (
        "Os arquivos enviados não puderam ser lidos (o envio chegou incompleto ou malformado). "
        "Volte, escolha os arquivos de novo e envie."
    ),
}
BAD_REQUEST_DEFAULT = (
    "O portal não conseguiu entender este pedido. Volte à página anterior, recarregue-a e "
    "tente de novo."
)


def bad_request(request, exception=None):
    """400 for a request Django refused before any view: the reason, in pt-BR, where known."""
    api = _api_error(request, 400)
    if api:
        return api
    reason = next(
        (text for kind, text in BAD_REQUEST_REASONS.items() if isinstance(exception, kind)),
        BAD_REQUEST_DEFAULT,
    )
    html = loader.get_template("400.html").render({"reason": reason})
    return HttpResponseBadRequest(html)


def permission_denied(request, exception=None):
    return _api_error(request, 403) or defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    return _api_error(request, 404) or defaults.page_not_found(request, exception)


def server_error(request):
    return _api_error(request, 500) or defaults.server_error(request)
