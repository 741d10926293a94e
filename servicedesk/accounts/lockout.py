"""django-axes hooks: how a CPF is recognised across spellings, and what a locked-out user sees."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render

from .cpf import clean_cpf
from .forms import LoginForm
from .govbr.conf import govbr_enabled

LOCKED_OUT = (
    "Muitas tentativas de acesso sem sucesso. Por segurança, o acesso foi bloqueado por "
    "{minutes} minutos. Aguarde e tente novamente."
)


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
