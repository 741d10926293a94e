"""A failed password check costs the same whatever the account's hash (issue 15, item 5):
otherwise its duration tells an attacker which CPFs have accounts and which hashes came from
SIOP. bench/login_timing.py measures the same through the login page, with medians."""

import time

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from servicedesk.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

UNKNOWN_CPF = "11144477735"


@pytest.fixture
def accounts(settings):
    # The configured backends without django-axes, whose lock-out would end the series.
    settings.AXES_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = [
        path for path in settings.AUTHENTICATION_BACKENDS if not path.startswith("axes.")
    ]
    pbkdf2 = UserFactory(password=make_password("certa", hasher="pbkdf2_sha256"))
    # Django 3.2's count, as an older SIOP export may carry: padded up to today's count.
    pbkdf2_old = UserFactory(password=_pbkdf2_with_iterations("certa", 260_000))
    return {
        "unknown CPF": UNKNOWN_CPF,
        "Argon2": UserFactory(password=make_password("certa")).cpf,
        "PBKDF2 from SIOP": pbkdf2.cpf,
        "PBKDF2, fewer iterations": pbkdf2_old.cpf,
        "no usable password": UserFactory(password=make_password(None)).cpf,
    }


def _pbkdf2_with_iterations(password: str, iterations: int) -> str:
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(password, hasher.salt(), iterations=iterations)


def _fastest_failure(cpf: str) -> float:
    start = time.perf_counter()
    assert authenticate(None, username=cpf, password="errada") is None
    return time.perf_counter() - start


def test_a_wrong_password_costs_the_same_for_every_kind_of_account(accounts):
    # Interleaved rounds, the fastest of each kind: load on the machine only adds time, so the
    # minimum is the cost of the work itself. The base commit's spread was 3x (a 260k-iteration
    # PBKDF2 hash against Django's 1M); the margin only absorbs a loaded machine's noise.
    fastest = {kind: float("inf") for kind in accounts}
    for _ in range(5):
        for kind, cpf in accounts.items():
            fastest[kind] = min(fastest[kind], _fastest_failure(cpf))
    slowest, quickest = max(fastest.values()), min(fastest.values())
    report = ", ".join(f"{kind}: {seconds * 1000:.0f} ms" for kind, seconds in fastest.items())
    assert slowest / quickest < 1.5, report


def test_a_wrong_password_is_checked_by_one_backend_only(client, monkeypatch):
    """Django's ModelBackend stays listed for sessions opened before the upgrade; it must
    never check the password a second time (twice the cost, and its own timing)."""
    from django.contrib.auth.backends import ModelBackend

    def refuse(*args, **kwargs):
        raise AssertionError("ModelBackend checked the password")

    monkeypatch.setattr(ModelBackend, "authenticate", refuse)
    user = UserFactory()
    for cpf in (user.cpf, UNKNOWN_CPF):
        response = client.post("/entrar/", {"cpf": cpf, "password": "errada"})
        assert response.status_code == 400
    assert client.post("/entrar/", {"cpf": user.cpf, "password": "senha-de-teste-123"}).url == "/"


def test_sessions_opened_through_djangos_backend_stay_valid(client):
    user = UserFactory()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").status_code == 200
