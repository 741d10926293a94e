"""Whether gov.br is configured, and what the rest of the accounts app needs to know about it."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

BACKEND_PATH = "servicedesk.accounts.govbr.backends.GovbrBackend"
# Session keys: the login came from gov.br (logout must go there too), and the refusal or
# failure to show once on the login page after the callback redirects there.
SESSION_FROM_GOVBR = "govbr_login"
SESSION_LOGIN_ERROR = "govbr_login_error"


def govbr_enabled() -> bool:
    return bool(
        settings.PORTAL_GOVBR_ISSUER
        and settings.OIDC_RP_CLIENT_ID
        and settings.OIDC_RP_CLIENT_SECRET
        and settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        and settings.OIDC_OP_TOKEN_ENDPOINT
        and settings.OIDC_OP_JWKS_ENDPOINT
    )


def govbr_logout_url(request: HttpRequest) -> str:
    """gov.br's logout, sending the browser back to our login page afterwards."""
    back = request.build_absolute_uri(reverse("accounts:login"))
    query = urlencode({"post_logout_redirect_uri": back})
    return f"{settings.PORTAL_GOVBR_LOGOUT_ENDPOINT}?{query}"
