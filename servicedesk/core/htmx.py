"""htmx helpers shared by the views."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect


def redirect_after_post(request: HttpRequest, to, *args, **kwargs) -> HttpResponse:
    """Redirect after a successful form: a full page load also for htmx requests, which would
    otherwise follow the redirect inside the XHR and swap a whole page into a fragment."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(resolve_url(to, *args, **kwargs))
    return redirect(to, *args, **kwargs)
