"""The benchmark's floor: the cheapest logged-in page the middleware stack can serve."""

from django.http import HttpResponse


def floor(request):
    # Touching request.user loads the session and the user, as every real page does.
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")
