"""The 500 handler: a database that cannot be reached is a 503 with Retry-After, so proxies
and clients know to try again; any other error keeps Django's pt-BR 500 page."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
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


def server_error(request, template_name: str = "500.html"):
    """handler500 (config/urls.py). Django calls it while handling the exception, so
    sys.exc_info() names it. Renders without the database (standalone templates)."""
    error = sys.exc_info()[1]
    if not _database_unreachable(error):
        return defaults.server_error(request, template_name)
    retry_after = str(settings.PORTAL_RETRY_AFTER_SECONDS)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        html = render_to_string("503.html", {"message": DATABASE_UNAVAILABLE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = retry_after
    return response
