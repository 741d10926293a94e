"""The error handlers (config/urls.py): JSON in pt-BR under /api/, the portal's pages
elsewhere; a database that cannot be reached is a 503 with Retry-After, so proxies and
clients know to try again."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.template.loader import render_to_string
from django.views import defaults

DATABASE_UNAVAILABLE = (
    "O portal está temporariamente indisponível e não concluiu o pedido. Nada do que você "
    "enviou foi perdido por isso: tente de novo em alguns instantes."
)


def _database_unreachable(error: BaseException | None) -> bool:
    # OperationalError covers "connection refused", "server closed the connection" and
    # "could not translate host name"; InterfaceError a connection already closed.
    return isinstance(error, (OperationalError, InterfaceError))


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


def server_error(request, template_name: str = "500.html"):
    """handler500 (config/urls.py). Django calls it while handling the exception, so
    sys.exc_info() names it. Renders without the database (standalone templates)."""
    error = sys.exc_info()[1]
    if not _database_unreachable(error):
        return _api_error(request, 500) or defaults.server_error(request, template_name)
    retry_after = str(settings.PORTAL_RETRY_AFTER_SECONDS)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        html = render_to_string("503.html", {"message": DATABASE_UNAVAILABLE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = retry_after
    return response
