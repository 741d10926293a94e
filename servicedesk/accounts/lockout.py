"""django-axes hooks: how a CPF is recognised across spellings, a limit per CPF and a much
higher one per IP address, and what a locked-out user sees."""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import render

from .cpf import clean_cpf
from .forms import LoginForm
from .govbr.conf import govbr_enabled

LOCKED_OUT = (
    "Muitas tentativas de acesso sem sucesso. Por segurança, o acesso foi bloqueado por "
    "{minutes} minutos. Aguarde e tente novamente."
)


def client_ip(request) -> str:
    """The client's address for the lock-out: with PORTAL_PROXY_COUNT = N proxies, each
    appending the address it received the request from to X-Forwarded-For, the N-th entry
    from the right (entries further left come from the client and can be forged); without
    proxies, or when the header has fewer entries than proxies, the TCP peer address."""
    peer = request.META.get("REMOTE_ADDR", "")
    count = settings.PORTAL_PROXY_COUNT
    if count <= 0:
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return peer
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return peer


def username_from_request(request, credentials: dict | None) -> str | None:
    """The CPF digits, so that 123.456.789-09 and 12345678909 count as one user."""
    typed = (credentials or {}).get("username") or request.POST.get("cpf")
    if not typed:
        return None
    try:
        return clean_cpf(typed)
    except ValidationError:
        return str(typed)[:20]


def lockout_message() -> str:
    return LOCKED_OUT.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    form = LoginForm(request, initial={"cpf": request.POST.get("cpf", "")})
    # gov.br stays open during a lock-out: it does not go through the password check.
    context = {
        "form": form,
        "locked_out_message": lockout_message(),
        "govbr_enabled": govbr_enabled(),
    }
    return render(request, "accounts/login.html", context, status=429)


class CpfAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits instead of one.

    django-axes compares the largest failure count among its lock-out parameters with one
    limit. Here a CPF is locked after AXES_FAILURE_LIMIT failures (5), an IP address only
    after PORTAL_LOGIN_IP_FAILURE_LIMIT (100), both within AXES_COOLOFF_TIME: everyone behind
    a ministry's NAT shares one address, and five wrong passwords typed by one person must
    not lock them all out. A successful login clears its CPF's failures only, so logging in to
    one's own account does not reset the count of an address spraying other CPFs.
    """

    def _recent(self, request):
        attempts = AccessAttempt.objects.all()
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures that count for this request, in units of the CPF limit: the CPF's own,
        or the CPF limit itself once the address has reached its own limit."""
        recent = self._recent(request)
        cpf = get_client_username(request, credentials)
        by_cpf = 0
        if cpf:
            by_cpf = recent.filter(username=cpf).aggregate(n=Sum("failures_since_start"))["n"] or 0
        by_address = (
            recent.filter(ip_address=request.axes_ip_address).aggregate(
                n=Sum("failures_since_start")
            )["n"]
            or 0
        )
        if by_address >= settings.PORTAL_LOGIN_IP_FAILURE_LIMIT:
            return max(by_cpf, settings.AXES_FAILURE_LIMIT)
        return by_cpf

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        cpf = get_client_username(request, credentials)
        if not cpf:
            return 0
        count, _ = AccessAttempt.objects.filter(username=cpf).delete()
        return count
