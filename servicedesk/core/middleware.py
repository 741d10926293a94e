"""Middleware of the portal's own."""

from django.conf import settings
from django.http import Http404
from django.views import defaults


class DevelopmentNotFoundMiddleware:
    """In development (DEBUG), a view's Http404 shows the portal's own 404 page, as in
    production, instead of Django's English debug page.

    A 404 raised by a view is an expected denial: a ticket outside the agent's groups, a
    file the user may not see (tickets/selectors.py answers 404, never 403, so that numbers
    reveal nothing). People trying the portal under `make run` must see what users will.
    Addresses that match no URL (the resolver's 404) and real errors still get Django's
    debug pages, which is what development needs them for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        return None
