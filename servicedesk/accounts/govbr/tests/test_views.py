"""The gov.br login end to end over HTTP: portal → real OpenID provider on 127.0.0.1 → portal."""

import socket
from contextlib import closing
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.cpf import complete_cpf, format_cpf
from servicedesk.accounts.forms import LOGIN_FAILED
from servicedesk.accounts.govbr.backends import LEVEL_TOO_LOW, NOT_A_SIOP_USER
from servicedesk.accounts.govbr.conf import BACKEND_PATH
from servicedesk.accounts.govbr.views import (
    GOVBR_ATTEMPT_INVALID,
    GOVBR_CANCELLED,
    GOVBR_FAILED,
    GOVBR_UNAVAILABLE,
)
from servicedesk.accounts.models import User
from servicedesk.accounts.tests.factories import UserFactory

from .conftest import CLIENT_ID, through_provider

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
START = reverse("accounts:govbr_login")
CALLBACK = reverse("accounts:govbr_callback")
HOME = reverse("core:home")
LOGOUT = reverse("accounts:logout")
UNKNOWN_CPF = complete_cpf("987654320")


def start(client, query: str = "") -> str:
    response = client.get(START + query)
    assert response.status_code == 302
    return response.url


def govbr_login(client, login_hint: str, **params):
    """One full attempt: start at the portal, pass the provider, land on the callback."""
    return client.get(through_provider(start(client), login_hint=login_hint, **params))


def assert_login_page_says(client, response, message: str) -> None:
    assert response.status_code == 302
    assert response.url == LOGIN
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "_auth_user_id" not in client.session
    # Shown once: a reload of the login page no longer carries it.
    assert message not in client.get(LOGIN).content.decode()


@pytest.fixture
def siop_user(db):
    return UserFactory(full_name="Gustavo Gov da Silva")


# --- The button and the redirect to gov.br ------------------------------------------------


def test_login_page_has_the_govbr_button_when_configured(client, govbr):
    html = client.get(LOGIN + "?next=/conta/senha/").content.decode()
    assert 'class="br-sign-in primary"' in html
    assert f'href="{START}?next=/conta/senha/"' in html
    assert "Entrar com" in html and "<strong>gov.br</strong>" in html


def test_without_configuration_there_is_no_button_and_no_route(client, settings):
    settings.PORTAL_GOVBR_ISSUER = ""
    assert "br-sign-in primary" not in client.get(LOGIN).content.decode()
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK + "?code=x&state=y").status_code == 404


def test_start_sends_state_nonce_and_pkce_s256_to_govbr_authorize(client, govbr):
    url = urlsplit(start(client))
    assert f"{url.scheme}://{url.netloc}{url.path}" == govbr.issuer + "authorize"
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver" + CALLBACK
    assert query["scope"].split() == [
        "openid",
        "email",
        "profile",
        "govbr_confiabilidades",
        "govbr_confiabilidades_idtoken",
    ]
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] in client.session["oidc_states"]


# --- Happy path -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "without_preferred_username"),
    [
        ("plain", False),
        ("hyphen", False),
        # Only `sub`, formatted: the CPF must still be found and normalised.
        ("hyphen", True),
        ("dots", True),
    ],
)
def test_known_cpf_logs_in_records_the_link_and_leaves_the_callback(
    client, govbr, siop_user, shape, without_preferred_username
):
    sub = {
        "plain": siop_user.cpf,
        "hyphen": f"{siop_user.cpf[:9]}-{siop_user.cpf[9:]}",
        "dots": format_cpf(siop_user.cpf),
    }[shape]
    extra = {"test_no_preferred_username": "1"} if without_preferred_username else {}
    users_before = User.objects.count()

    response = govbr_login(client, sub, **extra)

    assert response.status_code == 302
    assert response.url == HOME
    assert client.session["_auth_user_id"] == str(siop_user.pk)
    assert client.session["_auth_user_backend"] == BACKEND_PATH
    home = client.get(HOME)
    assert home.status_code == 200
    assert "Gustavo" in home.content.decode()
    siop_user.refresh_from_db()
    assert siop_user.govbr_last_login_at is not None
    assert siop_user.govbr_trust_level == "silver"
    assert siop_user.last_login is not None
    assert User.objects.count() == users_before


def test_next_page_is_kept_through_govbr(client, govbr, siop_user):
    authorize = start(client, "?next=/conta/senha/")
    response = client.get(through_provider(authorize, login_hint=siop_user.cpf))
    assert response.status_code == 302
    assert response.url == "/conta/senha/"


def test_govbr_login_works_while_the_password_login_is_locked_out(client, govbr, siop_user):
    for _ in range(5):
        client.post(LOGIN, {"cpf": siop_user.cpf, "password": "errada"})
    assert client.post(LOGIN, {"cpf": siop_user.cpf, "password": "errada"}).status_code == 429

    response = govbr_login(client, siop_user.cpf)

    assert response.url == HOME
    assert client.session["_auth_user_id"] == str(siop_user.pk)


def test_govbr_refusals_do_not_count_as_password_failures(client, govbr, password):
    user = UserFactory()
    for _ in range(6):
        assert govbr_login(client, UNKNOWN_CPF).status_code == 403
    response = client.post(LOGIN, {"cpf": user.cpf, "password": password})
    assert response.status_code == 302


def test_a_user_deactivated_in_siop_loses_the_govbr_session(client, govbr, siop_user):
    govbr_login(client, siop_user.cpf)
    User.objects.filter(pk=siop_user.pk).update(is_active=False)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


# --- Refusals: no account, inactive, trust level ----------------------------------------------


def test_unknown_cpf_is_refused_and_no_account_is_created(client, govbr, settings):
    users_before = User.objects.count()

    response = govbr_login(client, UNKNOWN_CPF)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Acesso restrito aos usuários do SIOP" in html
    assert NOT_A_SIOP_USER.format(contact=settings.PORTAL_SUPPORT_CONTACT) in html
    assert "CGTEC" in html and "SOF" in html
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users_before
    assert not User.objects.filter(cpf=UNKNOWN_CPF).exists()


def test_inactive_user_gets_the_same_refusal(client, govbr, settings):
    inactive = UserFactory(is_active=False)

    response = govbr_login(client, inactive.cpf)

    assert response.status_code == 403
    assert NOT_A_SIOP_USER.format(contact=settings.PORTAL_SUPPORT_CONTACT) in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    inactive.refresh_from_db()
    assert inactive.govbr_last_login_at is None


def test_level_below_the_minimum_is_refused_with_how_to_raise_it(
    client, govbr, settings, siop_user
):
    settings.PORTAL_GOVBR_MIN_LEVEL = "silver"

    response = govbr_login(client, siop_user.cpf, test_level="bronze")

    assert response.status_code == 403
    html = response.content.decode()
    assert LEVEL_TOO_LOW.format(level="Bronze", minimum="Prata") in html
    assert "Aumentar nível da conta" in html
    assert "_auth_user_id" not in client.session
    siop_user.refresh_from_db()
    assert siop_user.govbr_last_login_at is None


def test_level_at_or_above_the_minimum_logs_in(client, govbr, settings, siop_user):
    settings.PORTAL_GOVBR_MIN_LEVEL = "silver"

    response = govbr_login(client, siop_user.cpf, test_level="gold")

    assert response.url == HOME
    siop_user.refresh_from_db()
    assert siop_user.govbr_trust_level == "gold"


# --- The callback refuses what does not verify ----------------------------------------------


def test_tampered_state_is_refused(client, govbr, siop_user):
    callback = through_provider(start(client), login_hint=siop_user.cpf)
    path, query = callback.split("?", 1)
    params = {key: values[0] for key, values in parse_qs(query).items()}
    params["state"] = params["state"][:-1] + ("A" if params["state"][-1] != "A" else "B")

    response = client.get(f"{path}?{urlencode(params)}")

    assert_login_page_says(client, response, GOVBR_ATTEMPT_INVALID)


def test_replayed_callback_in_another_browser_is_refused(client, govbr, siop_user):
    callback = through_provider(start(client), login_hint=siop_user.cpf)
    assert client.get(callback).url == HOME

    attacker = Client()
    response = attacker.get(callback)

    assert_login_page_says(attacker, response, GOVBR_ATTEMPT_INVALID)


def test_replayed_code_is_refused_by_the_provider(client, govbr, siop_user, govbr_log):
    callback = through_provider(start(client), login_hint=siop_user.cpf)
    assert client.get(callback).url == HOME
    code = parse_qs(urlsplit(callback).query)["code"][0]

    # Someone with the code and an attempt of their own (valid state, own PKCE verifier).
    attacker = Client()
    state = parse_qs(urlsplit(start(attacker)).query)["state"][0]
    response = attacker.get(f"{CALLBACK}?{urlencode({'code': code, 'state': state})}")

    assert_login_page_says(attacker, response, GOVBR_FAILED)
    assert any("invalid_grant" in line for line in govbr_log), govbr_log


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("wrong_nonce", "Nonce verification failed"),
        ("wrong_aud", "Audience doesn't match"),
        ("wrong_iss", "Invalid issuer"),
        ("expired", "Signature has expired"),
        ("bad_signature", "Signature verification failed"),
    ],
)
def test_id_token_that_does_not_verify_is_refused(
    client, govbr, siop_user, govbr_log, tamper, reason
):
    response = govbr_login(client, siop_user.cpf, test_tamper=tamper)

    assert_login_page_says(client, response, GOVBR_FAILED)
    assert any(reason in line for line in govbr_log), govbr_log
    siop_user.refresh_from_db()
    assert siop_user.govbr_last_login_at is None
    assert siop_user.last_login is None


def test_provider_refuses_an_authorization_request_without_pkce(client, govbr, siop_user):
    url = urlsplit(start(client))
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    del query["code_challenge"], query["code_challenge_method"]
    authorize = f"{url.scheme}://{url.netloc}{url.path}?{urlencode(query)}"

    callback = through_provider(authorize, login_hint=siop_user.cpf)

    # The provider enforces PKCE: without a challenge it answers with an error, no code.
    assert parse_qs(urlsplit(callback).query)["error"] == ["invalid_request"]
    assert "code" not in parse_qs(urlsplit(callback).query)
    assert_login_page_says(client, client.get(callback), GOVBR_FAILED)


def test_person_who_refuses_at_govbr_sees_why(client, govbr, siop_user):
    response = govbr_login(client, siop_user.cpf, test_deny="1")
    assert_login_page_says(client, response, GOVBR_CANCELLED)


def test_callback_without_code_or_with_garbage_is_a_clear_message(client, govbr):
    for query in ("", "?state=x", "?code=abc", "?code=abc&state=" + "x" * 5000):
        response = client.get(CALLBACK + query)
        assert_login_page_says(client, response, GOVBR_ATTEMPT_INVALID)


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_provider_down_gives_a_message_not_a_500(client, govbr, settings, siop_user):
    callback = through_provider(start(client), login_hint=siop_user.cpf)
    down = f"http://127.0.0.1:{free_port()}/"
    settings.OIDC_OP_TOKEN_ENDPOINT = down + "token"
    settings.OIDC_OP_JWKS_ENDPOINT = down + "jwk"

    response = client.get(callback)

    assert_login_page_says(client, response, GOVBR_UNAVAILABLE)


def test_provider_that_does_not_answer_times_out_with_a_message(client, govbr, settings, siop_user):
    callback = through_provider(start(client), login_hint=siop_user.cpf)
    with closing(socket.socket()) as silent:
        # Accepts connections (the kernel does, through the backlog) and never answers.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{silent.getsockname()[1]}/token"
        settings.OIDC_TIMEOUT = 1

        response = client.get(callback)

    assert_login_page_says(client, response, GOVBR_UNAVAILABLE)


# --- Logout -------------------------------------------------------------------------------


def test_logout_of_a_govbr_session_goes_through_govbr_logout(client, govbr, siop_user):
    govbr_login(client, siop_user.cpf)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    expected = urlencode({"post_logout_redirect_uri": "http://testserver" + LOGIN})
    assert response.url == f"{govbr.issuer}logout?{expected}"
    assert "_auth_user_id" not in client.session


def test_logout_of_a_password_session_stays_in_the_portal(client, govbr, siop_user, password):
    client.post(LOGIN, {"cpf": siop_user.cpf, "password": password})

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client, govbr):
    assert client.get(LOGOUT).status_code == 405


def test_password_login_with_a_code_in_the_query_never_reaches_govbr(client, govbr, siop_user):
    response = client.post(LOGIN + "?code=abc&state=def", {"cpf": siop_user.cpf, "password": "x"})
    assert response.status_code == 400
    assert LOGIN_FAILED in response.content.decode()
