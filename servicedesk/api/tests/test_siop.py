import hashlib
import hmac
import json
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from servicedesk.accounts.cpf import CPF_INVALID_CHARACTERS, CPF_INVALID_CHECK_DIGITS
from servicedesk.accounts.models import User, UserOrigin
from servicedesk.accounts.services import (
    SYNC_BOTH_PASSWORDS,
    SYNC_EMAIL_INVALID,
    SYNC_HASH_MALFORMED,
    SYNC_HASH_UNKNOWN,
    SYNC_NAME_REQUIRED,
)
from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.api.errors import (
    BODY_NOT_JSON,
    BODY_NOT_OBJECT,
    BODY_NOT_UTF8,
    BODY_TOO_DEEP,
    MAX_JSON_DEPTH,
)
from servicedesk.api.siop import (
    SIGNATURE_INVALID,
    SIGNATURE_MISSING,
    SIGNATURE_OLD_SCHEME,
    SIGNATURE_REUSED,
    TIMESTAMP_EXPIRED,
    TIMESTAMP_INVALID,
    sign,
)
from servicedesk.core.inputguard import HAS_NUL, NOT_UTF8

pytestmark = pytest.mark.django_db

SECRET = "segredo-compartilhado-com-o-siop"
CPF = "52998224725"
LOGIN = reverse("accounts:login")
HOME = reverse("core:home")


@pytest.fixture(autouse=True)
def sync_secret(settings):
    settings.PORTAL_SIOP_SYNC_SECRET = SECRET


def url(cpf=CPF):
    return f"/api/v1/siop/users/{cpf}"


def signed_headers(raw: bytes, cpf=CPF, *, timestamp=None, secret=SECRET) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Siop-Timestamp": ts, "X-Siop-Signature": sign(secret, ts, "PUT", url(cpf), raw)}


def put(client, body, cpf=CPF, *, timestamp=None, secret=SECRET, signature=None, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signed = signed_headers(raw, cpf, timestamp=timestamp, secret=secret)
    if signature is not None:
        signed["X-Siop-Signature"] = signature
    return client.put(
        url(cpf),
        raw,
        content_type="application/json",
        headers=signed if headers is None else headers,
    )


def record(**overrides):
    return {
        "name": "Maria Requerente da Silva",
        "email": "maria@economia.gov.br",
        "active": True,
        "password": "Senha-Do-Siop-1",
        **overrides,
    }


def can_log_in(client, cpf, password) -> bool:
    client.logout()
    return client.post(LOGIN, {"cpf": cpf, "password": password}).status_code == 302


class TestHappyPaths:
    def test_creates_the_account_and_returns_it_without_the_hash(self, client):
        response = put(client, record())
        assert response.status_code == 201
        body = response.json()
        assert body["cpf"] == CPF
        assert body["name"] == "Maria Requerente da Silva"
        assert body["email"] == "maria@economia.gov.br"
        assert body["active"] is True
        assert body["origin"] == "siop"
        assert "password" not in body and "password_hash" not in body
        assert "argon2" not in response.content.decode()
        user = User.objects.get(cpf=CPF)
        assert user.origin == UserOrigin.SIOP
        assert user.password.startswith("argon2$")
        assert can_log_in(client, CPF, "Senha-Do-Siop-1")

    def test_updates_an_existing_account(self, client):
        put(client, record())
        response = put(client, record(name="Maria R. Silva", email="nova@economia.gov.br"))
        assert response.status_code == 200
        assert response.json()["name"] == "Maria R. Silva"
        user = User.objects.get(cpf=CPF)
        assert (user.full_name, user.email) == ("Maria R. Silva", "nova@economia.gov.br")
        assert User.objects.count() == 1

    def test_a_formatted_cpf_in_the_url_is_the_same_account(self, client):
        put(client, record())
        assert put(client, record(name="Outro Nome"), cpf="529.982.247-25").status_code == 200

    def test_password_change_takes_effect_at_the_next_login(self, client):
        put(client, record(password="Senha-Antiga-1"))
        assert can_log_in(client, CPF, "Senha-Antiga-1")
        put(client, record(password="Senha-Nova-2"))
        assert not can_log_in(client, CPF, "Senha-Antiga-1")
        assert can_log_in(client, CPF, "Senha-Nova-2")

    def test_an_update_without_password_keeps_the_current_one(self, client):
        put(client, record(password="Senha-Antiga-1"))
        body = record()
        del body["password"]
        assert put(client, body).status_code == 200
        assert can_log_in(client, CPF, "Senha-Antiga-1")

    def test_a_new_account_without_password_cannot_log_in_with_one(self, client):
        body = record()
        del body["password"]
        assert put(client, body).status_code == 201
        assert not User.objects.get(cpf=CPF).has_usable_password()

    @pytest.mark.parametrize("hasher", ["pbkdf2_sha256", "bcrypt_sha256", "argon2"])
    def test_django_format_hashes_are_stored_as_sent(self, client, hasher):
        hashed = make_password("Senha-Em-Hash-3", hasher=hasher)
        body = record(password_hash=hashed)
        del body["password"]
        assert put(client, body).status_code == 201
        assert User.objects.get(cpf=CPF).password == hashed
        assert can_log_in(client, CPF, "Senha-Em-Hash-3")

    def test_deactivation_ends_the_users_sessions_at_once(self, client):
        put(client, record())
        assert can_log_in(client, CPF, "Senha-Do-Siop-1")
        assert client.get(HOME).status_code == 200
        assert put(client, record(active=False)).json()["active"] is False
        response = client.get(HOME)
        assert response.status_code == 302 and response.url.startswith(LOGIN)
        assert not can_log_in(client, CPF, "Senha-Do-Siop-1")

    def test_a_local_account_becomes_a_siop_account(self, client):
        UserFactory(cpf=CPF, origin=UserOrigin.LOCAL)
        assert put(client, record()).status_code == 200
        assert User.objects.get(cpf=CPF).origin == UserOrigin.SIOP


class TestSignature:
    def test_endpoint_does_not_exist_without_a_secret(self, client, settings):
        settings.PORTAL_SIOP_SYNC_SECRET = ""
        assert put(client, record()).status_code == 404
        assert not User.objects.exists()

    @pytest.mark.parametrize(
        "headers",
        [{}, {"X-Siop-Timestamp": "1700000000"}, {"X-Siop-Signature": "abc"}],
        ids=["none", "no-signature", "no-timestamp"],
    )
    def test_missing_headers(self, client, headers):
        response = put(client, record(), headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"] == SIGNATURE_MISSING

    def test_wrong_secret(self, client):
        response = put(client, record(), secret="outro-segredo")
        assert response.status_code == 401
        assert response.json()["detail"] == SIGNATURE_INVALID
        assert not User.objects.exists()

    def test_body_changed_after_signing(self, client):
        ts = str(int(time.time()))
        signature = sign(SECRET, ts, "PUT", url(), json.dumps(record()).encode())
        tampered = json.dumps(record(active=False)).encode()
        response = put(client, tampered, timestamp=ts, signature=signature)
        assert response.status_code == 401
        assert response.json()["detail"] == SIGNATURE_INVALID

    def test_signature_of_another_timestamp(self, client):
        ts = int(time.time())
        signature = sign(SECRET, str(ts - 1), "PUT", url(), json.dumps(record()).encode())
        assert put(client, record(), timestamp=ts, signature=signature).status_code == 401

    @pytest.mark.parametrize("age", [302, -302, 3600])
    def test_replays_outside_the_five_minute_window(self, client, age):
        response = put(client, record(), timestamp=int(time.time()) - age)
        assert response.status_code == 401
        assert response.json()["detail"] == TIMESTAMP_EXPIRED

    def test_a_request_signed_within_the_window_is_accepted(self, client):
        assert put(client, record(), timestamp=int(time.time()) - 290).status_code == 201

    @pytest.mark.parametrize("timestamp", ["ontem", "1.5", "-100"])
    def test_timestamp_not_in_unix_seconds(self, client, timestamp):
        response = put(client, record(), timestamp=timestamp)
        assert response.status_code == 401
        assert response.json()["detail"] == TIMESTAMP_INVALID

    def test_unauthenticated_bad_json_is_still_401(self, client):
        response = put(client, b"{nao e json", headers={})
        assert response.status_code == 401


class TestOneSignatureOneRequest:
    """Issue 15, item 1: a captured request can be neither replayed nor aimed at another CPF."""

    def test_the_same_signed_request_sent_to_another_cpf_is_refused(self, client):
        supervisor = UserFactory(cpf="11144477735", is_supervisor=True)
        before = supervisor.password
        raw = json.dumps(record(password="Senha-Do-Atacante-1")).encode()
        headers = signed_headers(raw, CPF)
        response = client.put(
            url("11144477735"), raw, content_type="application/json", headers=headers
        )
        assert response.status_code == 401
        assert response.json()["detail"] == SIGNATURE_INVALID
        supervisor.refresh_from_db()
        assert supervisor.password == before

    def test_an_exact_replay_is_refused(self, client):
        raw = json.dumps(record(password="Senha-Original-1")).encode()
        headers = signed_headers(raw)
        first = client.put(url(), raw, content_type="application/json", headers=headers)
        assert first.status_code == 201
        User.objects.filter(cpf=CPF).update(full_name="Mudado depois")
        replay = client.put(url(), raw, content_type="application/json", headers=headers)
        assert replay.status_code == 401
        assert replay.json()["detail"] == SIGNATURE_REUSED
        assert User.objects.get(cpf=CPF).full_name == "Mudado depois"

    def test_the_method_is_signed(self, client):
        raw = json.dumps(record()).encode()
        ts = str(int(time.time()))
        headers = {"X-Siop-Timestamp": ts, "X-Siop-Signature": sign(SECRET, ts, "POST", url(), raw)}
        response = client.put(url(), raw, content_type="application/json", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"] == SIGNATURE_INVALID

    def test_a_request_signed_the_old_way_is_told_the_new_scheme(self, client):
        raw = json.dumps(record()).encode()
        ts = str(int(time.time()))
        old = hmac.new(SECRET.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        headers = {"X-Siop-Timestamp": ts, "X-Siop-Signature": old}
        response = client.put(url(), raw, content_type="application/json", headers=headers)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"] == SIGNATURE_OLD_SCHEME
        assert "v2" in SIGNATURE_OLD_SCHEME
        assert not User.objects.exists()


class TestRejections:
    def assert_400(self, response, field, message=None):
        assert response.status_code == 400, response.content
        body = response.json()
        assert field in body["errors"], body
        if message:
            assert message in body["errors"][field]
        assert not User.objects.exists()
        return body

    def test_bad_json(self, client):
        body = self.assert_400(put(client, b"{nao e json"), "__all__")
        assert body["errors"]["__all__"] == [BODY_NOT_JSON]

    @pytest.mark.parametrize("raw", [b"[1, 2]", b'"texto"', b"42"])
    def test_json_that_is_not_an_object(self, client, raw):
        body = self.assert_400(put(client, raw), "__all__")
        assert body["errors"]["__all__"] == [BODY_NOT_OBJECT]

    def test_missing_name(self, client):
        body = record()
        del body["name"]
        self.assert_400(put(client, body), "name", "Campo obrigatório.")

    def test_blank_name(self, client):
        self.assert_400(put(client, record(name="   ")), "name", SYNC_NAME_REQUIRED)

    def test_active_not_a_boolean(self, client):
        self.assert_400(put(client, record(active="talvez")), "active", "Informe true ou false.")

    @pytest.mark.parametrize(
        ("cpf", "message"),
        [("52998224724", CPF_INVALID_CHECK_DIGITS), ("5299822472x", CPF_INVALID_CHARACTERS)],
    )
    def test_bad_cpf(self, client, cpf, message):
        self.assert_400(put(client, record(), cpf=cpf), "cpf", message)

    def test_invalid_email(self, client):
        self.assert_400(put(client, record(email="maria@")), "email", SYNC_EMAIL_INVALID)

    def test_unknown_hash_algorithm(self, client):
        body = record(password_hash="md5$abc$0123456789abcdef")
        del body["password"]
        self.assert_400(put(client, body), "password_hash", SYNC_HASH_UNKNOWN)

    def test_malformed_hash(self, client):
        body = record(password_hash="pbkdf2_sha256$sem-partes")
        del body["password"]
        self.assert_400(put(client, body), "password_hash", SYNC_HASH_MALFORMED)

    def test_password_and_hash_together(self, client):
        body = record(password_hash=make_password("x"))
        self.assert_400(put(client, body), "password", SYNC_BOTH_PASSWORDS)

    @pytest.mark.parametrize("field", ["name", "email", "password"])
    def test_a_nul_anywhere_is_refused_on_its_field(self, client, field):
        """Issue 15, item 2: "a\u0000b" was a 500 in the name and accepted in the password
        (a password the login form can never send)."""
        response = put(client, record(**{field: "a\u0000b"}))
        body = self.assert_400(response, field)
        assert body["errors"][field] == [HAS_NUL.format(field=field)]

    def test_a_lone_surrogate_is_refused(self, client):
        raw = json.dumps(record()).replace("Maria", "Maria\\ud800").encode()
        body = self.assert_400(put(client, raw), "name")
        assert body["errors"]["name"] == [NOT_UTF8.format(field="name")]

    def test_invalid_utf8_is_refused(self, client):
        raw = json.dumps(record()).encode().replace(b"Maria", b"Mar\xffia")
        body = self.assert_400(put(client, raw), "__all__")
        assert body["errors"]["__all__"] == [BODY_NOT_UTF8]

    @pytest.mark.parametrize("depth", [25, 100_000])
    def test_deeply_nested_json_gets_a_portuguese_message(self, client, depth):
        raw = b'{"name": "Maria", "x": ' + b"[" * depth + b"]" * depth + b"}"
        body = self.assert_400(put(client, raw), "__all__")
        assert body["errors"]["__all__"] == [BODY_TOO_DEEP.format(limit=MAX_JSON_DEPTH)]
        assert "Cannot parse" not in json.dumps(body)

    def test_a_body_too_large_is_413_in_json(self, client):
        raw = json.dumps(record(name="M" * 10_000_000)).encode()
        response = put(client, raw)
        assert response.status_code == 413
        assert response["Content-Type"].startswith("application/json")
        assert "passa do limite" in response.json()["detail"]
        assert not User.objects.exists()

    def test_bad_query_text_on_the_api_is_json(self, client):
        response = client.get("/api/v1/siop/users/123?x=%00")
        assert response.status_code == 400
        assert response.json()["errors"] == {"x": [HAS_NUL.format(field="x")]}

    def test_an_unknown_api_address_is_json(self, client):
        response = client.get("/api/v1/nao-existe")
        assert response.status_code == 404
        assert response.json() == {"detail": "Não encontrado.", "errors": {}}

    def test_a_rejected_request_never_echoes_the_password(self, client):
        response = put(client, record(name="", password="Segredo-Que-Nao-Volta"))
        assert response.status_code == 400
        assert "Segredo-Que-Nao-Volta" not in response.content.decode()


def test_openapi_document_describes_the_sync_endpoint(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/siop/users/{cpf}" in response.json()["paths"]


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_api_documentation_is_for_staff_only(client, requester, supervisor, path):
    """Issue 15, item 7: anonymous visitors and requesters are sent to the staff login."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    client.force_login(requester)
    assert client.get(path).status_code == 302
    client.force_login(supervisor)
    assert client.get(path).status_code == 200
