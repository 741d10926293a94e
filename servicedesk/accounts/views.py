"""Login, logout, the password pages (passwords of SIOP users are managed in SIOP) and the
user's preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from .forms import LoginForm, PreferencesForm
from .govbr.conf import SESSION_FROM_GOVBR, SESSION_LOGIN_ERROR, govbr_enabled, govbr_logout_url
from .services import user_preferences_update

PASSWORD_CHANGED = "Senha alterada."
PREFERENCES_SAVED = "Preferências salvas."


def landing_url(user) -> str:
    """Where a login without `next` lands: the desk for agents and supervisors, whose
    workspace it is all day; the home page for everybody else. An agent is a supervisor or a
    member of a support group, the rule of tickets.permissions.is_agent (a higher layer),
    asked here of the user's own groups in one query."""
    if user.is_supervisor or user.support_groups.exists():
        return resolve_url(settings.PORTAL_AGENT_LOGIN_REDIRECT_URL)
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _next_url(request, user) -> str:
    """Where to go after logging in: `next` if it is a path of this site, else the user's
    landing page. Only paths: redirect() would read a bare word ("?next=abc") as a view name
    (a 500)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return landing_url(user)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request, request.user))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        login(request, form.user)
        return redirect(_next_url(request, form.user))
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "govbr_enabled": govbr_enabled(),
        # Left by the gov.br callback when it refused or failed; shown once.
        "govbr_error": request.session.pop(SESSION_LOGIN_ERROR, None),
    }
    return render(request, "accounts/login.html", context, status=status)


@csrf_protect
@never_cache
@require_POST
def logout_view(request):
    """Log out here and, for a gov.br login, at gov.br too (it comes back to our login page)."""
    from_govbr = request.session.get(SESSION_FROM_GOVBR, False)
    logout(request)
    if from_govbr and govbr_enabled():
        return redirect(govbr_logout_url(request))
    return redirect(settings.LOGOUT_REDIRECT_URL)


def password_help(request):
    """Where a "forgot my password" form would be: SIOP owns the passwords."""
    return render(request, "accounts/password_help.html")


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request):
    if request.user.manages_password_in_siop:
        return render(request, "accounts/password_help.html")
    form = PasswordChangeForm(request.user, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, PASSWORD_CHANGED)
        return redirect("core:home")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """ "Minhas preferências": which optional e-mails the user wants."""
    form = PreferencesForm(
        data=request.POST if request.method == "POST" else None,
        initial={"email_optional_notifications": request.user.email_optional_notifications},
    )
    if form.is_bound and form.is_valid():
        user_preferences_update(
            actor=request.user,
            email_optional_notifications=form.cleaned_data["email_optional_notifications"],
        )
        messages.success(request, PREFERENCES_SAVED)
        return redirect("accounts:preferences")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/preferences.html", {"form": form}, status=status)
