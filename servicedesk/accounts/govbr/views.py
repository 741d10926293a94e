"""The two gov.br endpoints: start the login (to gov.br) and its callback (back from gov.br)."""

import logging

import jwt
import requests
from django.contrib.auth import login
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from servicedesk.accounts.services import user_record_govbr_login
from servicedesk.accounts.views import landing_url
from servicedesk.core.errors import ApplicationError

from .backends import GovbrBackend
from .conf import BACKEND_PATH, SESSION_FROM_GOVBR, SESSION_LOGIN_ERROR, govbr_enabled

logger = logging.getLogger(__name__)

GOVBR_CANCELLED = (
    "A entrada com o gov.br foi cancelada ou não foi autorizada. Tente novamente ou entre com "
    "CPF e senha."
)
GOVBR_ATTEMPT_INVALID = (
    "Esta tentativa de entrada com o gov.br expirou ou não é válida. Clique novamente em "
    "“Entrar com gov.br”."
)
GOVBR_UNAVAILABLE = (
    "O gov.br não respondeu. Tente novamente em alguns minutos ou entre com CPF e senha."
)
GOVBR_FAILED = (
    "Não foi possível confirmar a sua identidade com o gov.br. Tente novamente ou entre com "
    "CPF e senha."
)
REFUSAL_TITLES = {
    "not_a_siop_user": "Acesso restrito aos usuários do SIOP",
    "trust_level": "Nível da conta gov.br insuficiente",
}

# What goes wrong on gov.br's side or on the way: an answer that is not 200, not JSON, a key
# or token that does not verify (the library raises SuspiciousOperation or a PyJWT error).
_PROVIDER_FAILURES = (
    SuspiciousOperation,
    requests.RequestException,
    jwt.PyJWTError,
    ValueError,
    KeyError,
    TypeError,
)


@method_decorator(never_cache, name="dispatch")
class GovbrLoginView(OIDCAuthenticationRequestView):
    """Redirect to gov.br with state, nonce and a PKCE S256 challenge kept in the session."""

    def get(self, request):
        if not govbr_enabled():
            raise Http404
        return super().get(request)


def _back_to_login(request, message: str):
    # Shown once by the login page: the callback URL, with its code, leaves the address bar.
    request.session[SESSION_LOGIN_ERROR] = message
    return redirect("accounts:login")


def _pop_attempt(request) -> dict | None:
    """The nonce and PKCE verifier that GovbrLoginView kept under this state, if any.

    Removed before anything else is checked, so a state serves once whatever happens next.
    """
    states = request.session.get("oidc_states")
    if not isinstance(states, dict):
        return None
    attempt = states.pop(request.GET.get("state", ""), None)
    if attempt is not None:
        request.session["oidc_states"] = states
    return attempt if isinstance(attempt, dict) else None


@never_cache
@require_GET
def govbr_callback(request):
    """Finish the login. Not the library's callback view: that one authenticates through
    every backend, so django-axes would count gov.br refusals as password failures and lock
    the person's IP out of the password login (and the reverse)."""
    if not govbr_enabled():
        raise Http404
    attempt = _pop_attempt(request)
    if error := request.GET.get("error"):
        logger.warning(
            "gov.br login failed: provider returned error=%s (%s)",
            error[:64],
            request.GET.get("error_description", "")[:200],
        )
        message = GOVBR_CANCELLED if error == "access_denied" else GOVBR_FAILED
        return _back_to_login(request, message)
    if attempt is None or not request.GET.get("code"):
        logger.warning("gov.br login failed: unknown, used or missing state, or no code")
        return _back_to_login(request, GOVBR_ATTEMPT_INVALID)

    backend = GovbrBackend()
    try:
        user = backend.authenticate(
            request, nonce=attempt.get("nonce"), code_verifier=attempt.get("code_verifier")
        )
    except ApplicationError as refusal:
        context = {"title": REFUSAL_TITLES.get(refusal.code, ""), "message": refusal.message}
        return render(request, "accounts/govbr/refused.html", context, status=403)
    except (requests.ConnectionError, requests.Timeout) as exc:
        logger.warning("gov.br login failed: provider unreachable: %s", exc)
        return _back_to_login(request, GOVBR_UNAVAILABLE)
    except _PROVIDER_FAILURES as exc:
        logger.warning("gov.br login failed: %s: %s", type(exc).__name__, exc)
        return _back_to_login(request, GOVBR_FAILED)
    if user is None:
        logger.warning("gov.br login failed: the provider's answer named no usable account")
        return _back_to_login(request, GOVBR_FAILED)

    next_url = request.session.pop("oidc_login_next", None)
    login(request, user, backend=BACKEND_PATH)
    request.session[SESSION_FROM_GOVBR] = True
    user_record_govbr_login(user=user, trust_level=backend.trust_level)
    return redirect(next_url or landing_url(user))
