from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.cpf import CPF_INVALID_CHECK_DIGITS
from servicedesk.accounts.forms import LOGIN_FAILED
from servicedesk.accounts.lockout import client_ip, lockout_message
from servicedesk.accounts.models import User
from servicedesk.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("core:home")


def login(client, cpf, password, ip="127.0.0.1", **extra):
    return client.post(LOGIN, {"cpf": cpf, "password": password, **extra}, REMOTE_ADDR=ip)


def test_login_page_is_in_portuguese_with_cpf_and_password(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="pt-BR">' in html
    assert 'name="cpf"' in html and 'name="password"' in html
    assert 'inputmode="numeric"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Ir para o conteúdo" in html  # skip link
    assert "Esqueceu a senha?" in html


@pytest.mark.parametrize("typed", ["{digits}", "{formatted}", " {formatted} "])
def test_login_with_digits_or_formatted_cpf_reaches_the_greeting(
    client, requester, password, typed
):
    cpf = typed.format(digits=requester.cpf, formatted=requester.cpf_formatted)
    response = login(client, cpf, password)
    assert response.status_code == 302
    assert response.url == HOME
    page = client.get(HOME)
    assert 'Olá, <span class="text-weight-semi-bold">Maria</span>' in page.content.decode()


def test_wrong_password_and_unknown_cpf_get_the_same_answer(client, requester):
    wrong_password = login(client, requester.cpf, "nao-e-esta")
    unknown_cpf = login(client, "123.456.789-09", "nao-e-esta")
    for response in (wrong_password, unknown_cpf):
        assert response.status_code == 400
        assert LOGIN_FAILED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_account_gets_the_same_answer_as_a_wrong_password(client, password):
    inactive = UserFactory(is_active=False)
    response = login(client, inactive.cpf, password)
    assert response.status_code == 400
    assert LOGIN_FAILED in response.content.decode()


def test_invalid_cpf_is_reported_on_the_field_and_keeps_what_was_typed(client):
    response = login(client, "529.982.247-24", "qualquer")
    assert response.status_code == 400
    html = response.content.decode()
    assert CPF_INVALID_CHECK_DIGITS in html
    assert 'value="529.982.247-24"' in html
    assert 'aria-invalid="true"' in html


def test_empty_form_asks_for_both_fields(client):
    response = client.post(LOGIN, {"cpf": "", "password": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Informe o CPF." in html and "Informe a senha." in html


def test_next_is_followed_only_within_the_site(client, requester, password):
    response = login(client, requester.cpf, password, next="/admin/")
    assert response.url == "/admin/"
    client.logout()
    response = login(client, requester.cpf, password, next="https://evil.example.com/")
    assert response.url == HOME


@pytest.mark.parametrize(
    "target", ["abc", "core:home", "-1", "javascript:alert(1)", "//evil.example"]
)
def test_a_next_that_is_not_a_path_goes_home(client, requester, password, target):
    """Found by tests/test_bad_input_walk.py: "?next=abc" for a logged-in user was a 500."""
    assert login(client, requester.cpf, password, next=target).url == HOME
    assert client.get(LOGIN, {"next": target}).url == HOME


def test_home_requires_login_and_comes_back_after_it(client, requester, password):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    response = client.get(response.url)
    assert 'name="next" value="/"' in response.content.decode()


def test_logged_in_user_visiting_login_goes_home(client, requester):
    client.force_login(requester)
    assert client.get(LOGIN).url == HOME


def test_logout_ends_the_session(client, requester):
    client.force_login(requester)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(HOME).status_code == 302


class TestLockout:
    def test_five_failures_lock_the_cpf_even_with_the_right_password(
        self, client, requester, password
    ):
        for _ in range(4):
            assert login(client, requester.cpf_formatted, "errada").status_code == 400
        # The fifth failure is answered with the lock-out itself.
        assert login(client, requester.cpf_formatted, "errada").status_code == 429
        response = login(client, requester.cpf, password)
        assert response.status_code == 429
        assert lockout_message() in response.content.decode()
        assert "15 minutos" in lockout_message()
        assert "_auth_user_id" not in client.session

    def test_the_cpf_is_locked_from_every_ip_however_it_is_typed(self, client, requester, password):
        for attempt in range(5):
            typed = requester.cpf if attempt % 2 else requester.cpf_formatted
            login(client, typed, "errada", ip=f"10.0.0.{attempt + 1}")
        assert login(client, requester.cpf, password, ip="10.9.9.9").status_code == 429

    def test_one_person_behind_a_shared_ip_does_not_lock_out_the_others(
        self, client, requester, password
    ):
        """Issue 15, item 4: a ministry's NAT is one address for everybody in it."""
        colleague = UserFactory(full_name="Colega no mesmo prédio")
        for _ in range(5):
            login(client, colleague.cpf, "errada", ip="10.1.1.1")
        assert login(client, colleague.cpf, "senha-de-teste-123", ip="10.1.1.1").status_code == 429
        # The requester, behind the same address, still logs in.
        assert login(client, requester.cpf, password, ip="10.1.1.1").status_code == 302

    def test_the_address_is_locked_at_its_own_much_higher_limit(
        self, client, settings, requester, password
    ):
        settings.PORTAL_LOGIN_IP_FAILURE_LIMIT = 12
        # Spraying four guesses at each of three CPFs: no CPF reaches its limit of five, the
        # address reaches its own at the twelfth failure.
        statuses = [
            login(client, other.cpf, "errada", ip="10.1.1.1").status_code
            for other in UserFactory.create_batch(3)
            for _ in range(4)
        ]
        assert statuses == [400] * 11 + [429]
        response = login(client, requester.cpf, password, ip="10.1.1.1")
        assert response.status_code == 429
        assert lockout_message() in response.content.decode()
        # The same person from another address is not locked out.
        assert login(client, requester.cpf, password, ip="10.2.2.2").status_code == 302

    def test_logging_in_to_ones_own_account_does_not_reset_the_address_count(
        self, client, settings, requester, password
    ):
        settings.PORTAL_LOGIN_IP_FAILURE_LIMIT = 8
        for _ in range(2):
            other = UserFactory()
            for _ in range(4):
                login(client, other.cpf, "errada", ip="10.1.1.1")
            client.logout()
        assert login(client, requester.cpf, password, ip="10.1.1.1").status_code == 429
        assert login(client, requester.cpf, password, ip="10.3.3.3").status_code == 302
        client.logout()
        assert login(client, requester.cpf, password, ip="10.1.1.1").status_code == 429

    def test_behind_a_proxy_the_clients_own_address_is_counted(
        self, client, settings, requester, password
    ):
        settings.PORTAL_PROXY_COUNT = 1
        settings.PORTAL_LOGIN_IP_FAILURE_LIMIT = 8
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for other in UserFactory.create_batch(2):
            for _ in range(4):
                client.post(
                    LOGIN,
                    {"cpf": other.cpf, "password": "errada"},
                    HTTP_X_FORWARDED_FOR="200.1.1.1",
                    **proxy,
                )

        def attempt(forwarded):
            client.logout()
            data = {"cpf": requester.cpf, "password": password}
            return client.post(LOGIN, data, HTTP_X_FORWARDED_FOR=forwarded, **proxy).status_code

        assert attempt("200.1.1.1") == 429
        # Whatever the client writes in front of the proxy's entry does not change its address.
        assert attempt("9.9.9.9, 200.1.1.1") == 429
        # Another client behind the same proxy is not locked out.
        assert attempt("200.2.2.2") == 302

    def test_the_default_address_limit_is_much_higher_than_the_cpf_limit(self, settings):
        assert settings.PORTAL_LOGIN_IP_FAILURE_LIMIT >= 10 * settings.AXES_FAILURE_LIMIT

    def test_four_failures_do_not_lock_and_a_success_resets_the_count(
        self, client, requester, password
    ):
        for _ in range(4):
            login(client, requester.cpf, "errada")
        assert login(client, requester.cpf, password).status_code == 302
        client.logout()
        for _ in range(4):
            login(client, requester.cpf, "errada")
        assert login(client, requester.cpf, password).status_code == 302

    def test_the_lock_ends_after_fifteen_minutes(self, client, requester, password):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for _ in range(5):
                login(client, requester.cpf, "errada")
            assert login(client, requester.cpf, password).status_code == 429
        with time_machine.travel(start + timedelta(minutes=14), tick=False):
            assert login(client, requester.cpf, password).status_code == 429
        with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
            assert login(client, requester.cpf, password).status_code == 302


class TestPasswordHashes:
    def test_new_passwords_are_hashed_with_argon2(self):
        user = User.objects.create_user("52998224725", "uma-senha-nova", full_name="Nova")
        assert user.password.startswith("argon2$")

    def test_new_hashes_use_the_owasp_argon2id_parameters(self):
        """OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 lane."""
        user = User.objects.create_user("52998224725", "uma-senha-nova", full_name="Nova")
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

    def test_hashes_with_djangos_100_mib_argon2_are_rehashed_at_the_next_login(self, client):
        old = Argon2PasswordHasher().encode("senha-antiga", Argon2PasswordHasher().salt())
        assert "$m=102400,t=2,p=8$" in old
        user = UserFactory(password=old)
        assert login(client, user.cpf, "senha-antiga").status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        client.logout()
        assert login(client, user.cpf, "senha-antiga").status_code == 302

    def test_a_failed_login_leaves_an_old_hash_as_it_was(self, client):
        old = make_password("senha-do-siop", hasher="pbkdf2_sha256")
        user = UserFactory(password=old)
        assert login(client, user.cpf, "errada").status_code == 400
        user.refresh_from_db()
        assert user.password == old

    @pytest.mark.parametrize("hasher", ["pbkdf2_sha256", "bcrypt_sha256", "bcrypt"])
    def test_synced_hashes_still_verify_and_are_upgraded_to_argon2(self, client, hasher):
        user = UserFactory(password=make_password("senha-do-siop", hasher=hasher))
        assert login(client, user.cpf, "senha-do-siop").status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        client.logout()
        assert login(client, user.cpf, "senha-do-siop").status_code == 302


class TestPasswordPages:
    def test_siop_users_are_told_passwords_are_managed_in_siop(self, client, requester):
        client.force_login(requester)
        response = client.get(reverse("accounts:password_change"))
        assert response.status_code == 200
        assert "gerenciadas pelo SIOP" in response.content.decode()
        assert 'name="new_password1"' not in response.content.decode()

    def test_forgotten_password_page_points_to_siop(self, client):
        response = client.get(reverse("accounts:password_help"))
        assert "gerenciadas pelo SIOP" in response.content.decode()

    def test_local_users_change_their_password_here(self, client, password):
        user = UserFactory(origin="local")
        client.force_login(user)
        url = reverse("accounts:password_change")
        bad = client.post(
            url, {"old_password": "errada", "new_password1": "x", "new_password2": "y"}
        )
        assert bad.status_code == 400
        assert "senha antiga" in bad.content.decode().lower()
        new = "Outra-Senha-Longa-2026"
        ok = client.post(
            url, {"old_password": password, "new_password1": new, "new_password2": new}
        )
        assert ok.status_code == 302
        client.logout()
        assert login(client, user.cpf, new).status_code == 302


class TestClientAddress:
    @pytest.mark.parametrize(
        ("proxies", "forwarded", "expected"),
        [
            (0, "200.1.1.1", "10.0.0.1"),  # no proxy configured: the header is ignored
            (1, "200.1.1.1", "200.1.1.1"),
            (1, "6.6.6.6, 200.1.1.1", "200.1.1.1"),  # forged entries on the left
            (2, "6.6.6.6, 200.1.1.1, 10.0.0.9", "200.1.1.1"),
            (2, "200.1.1.1", "10.0.0.1"),  # fewer entries than proxies: the peer
            (1, "nao-e-ip", "10.0.0.1"),
            (1, "", "10.0.0.1"),
        ],
    )
    def test_client_ip(self, rf, settings, proxies, forwarded, expected):
        settings.PORTAL_PROXY_COUNT = proxies
        request = rf.post(LOGIN, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected
