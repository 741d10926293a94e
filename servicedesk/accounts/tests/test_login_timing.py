"""A failed password check costs the same whatever the account's hash (issue 15, item 5):
otherwise its duration tells an attacker which CPFs have accounts and which hashes came from
SIOP. bench/login_timing.py measures the same through the login page, with medians."""

import re

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


@pytest.fixture
def work(monkeypatch):
    """What each password check really computes, recorded on the way through (the real
    computation still runs): PBKDF2 iterations, and Argon2 runs as (memory KiB, passes)."""
    import argon2
    import argon2._password_hasher
    from django.contrib.auth import hashers

    done = {"pbkdf2": 0, "argon2": []}
    real_pbkdf2 = hashers.pbkdf2
    real_hash = argon2.low_level.hash_secret
    real_verify = argon2._password_hasher.verify_secret

    def pbkdf2(password, salt, iterations, *args, **kwargs):
        done["pbkdf2"] += iterations
        return real_pbkdf2(password, salt, iterations, *args, **kwargs)

    def hash_secret(secret, salt, time_cost, memory_cost, *args, **kwargs):
        done["argon2"].append((memory_cost, time_cost))
        return real_hash(secret, salt, time_cost, memory_cost, *args, **kwargs)

    def verify_secret(encoded, secret, *args, **kwargs):
        memory, passes = re.search(rb"\$m=(\d+),t=(\d+),", encoded).groups()
        done["argon2"].append((int(memory), int(passes)))
        return real_verify(encoded, secret, *args, **kwargs)

    monkeypatch.setattr(hashers, "pbkdf2", pbkdf2)
    monkeypatch.setattr(argon2.low_level, "hash_secret", hash_secret)
    monkeypatch.setattr(argon2._password_hasher, "verify_secret", verify_secret)
    return done


def test_a_wrong_password_costs_the_same_for_every_kind_of_account(accounts, work):
    """The work is counted rather than timed, so a loaded machine cannot make the test lie;
    bench/login_timing.py times the same through the login page. On the base commit an
    unknown CPF ran one 100 MiB Argon2 and a SIOP account 1,000,000 PBKDF2 iterations."""
    by_kind = {}
    inactive = UserFactory(password=make_password("certa"), is_active=False)
    # Its right password: refused like a wrong one, and at the same cost.
    work["pbkdf2"], work["argon2"] = 0, []
    assert authenticate(None, username=inactive.cpf, password="certa") is None
    by_kind["inactive, right password"] = (work["pbkdf2"], sorted(work["argon2"]))
    for kind, cpf in accounts.items():
        work["pbkdf2"], work["argon2"] = 0, []
        assert authenticate(None, username=cpf, password="errada") is None
        by_kind[kind] = (work["pbkdf2"], sorted(work["argon2"]))
    expected = (1_000_000, [(19 * 1024, 2)])
    assert by_kind == dict.fromkeys([*accounts, "inactive, right password"], expected)


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
