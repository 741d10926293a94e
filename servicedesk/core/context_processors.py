"""Values every page template needs."""

from django.conf import settings

from servicedesk.tickets.permissions import is_agent

from .links import page_links


def portal(request):
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_SUPPORT_CONTACT": settings.PORTAL_SUPPORT_CONTACT,
        "links": page_links(),
        # Lazy: only pages that show the desk link pay for the query.
        "user_is_agent": lambda: bool(user) and is_agent(user),
    }
