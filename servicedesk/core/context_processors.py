"""Values every page template needs."""

from django.conf import settings


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_SUPPORT_CONTACT": settings.PORTAL_SUPPORT_CONTACT,
    }
