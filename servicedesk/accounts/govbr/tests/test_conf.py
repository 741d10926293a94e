"""gov.br settings: endpoints derived from the issuer with gov.br's paths, each overridable."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

READ_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from servicedesk.accounts.govbr.conf import govbr_enabled
names = ["OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT",
         "OIDC_OP_USER_ENDPOINT", "PORTAL_GOVBR_LOGOUT_ENDPOINT", "AUTHENTICATION_BACKENDS"]
print(json.dumps({**{n: getattr(settings, n) for n in names}, "enabled": govbr_enabled()}))
"""


def settings_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_GOVBR_")}
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_endpoints_derive_from_the_issuer_with_govbr_paths():
    values = settings_with(
        PORTAL_GOVBR_ISSUER="https://sso.staging.acesso.gov.br/",
        PORTAL_GOVBR_CLIENT_ID="portal",
        PORTAL_GOVBR_CLIENT_SECRET="segredo",
        PORTAL_GOVBR_USERINFO_ENDPOINT="https://outro.example/userinfo/",
    )
    assert values["enabled"] is True
    assert values["OIDC_OP_AUTHORIZATION_ENDPOINT"] == "https://sso.staging.acesso.gov.br/authorize"
    assert values["OIDC_OP_TOKEN_ENDPOINT"] == "https://sso.staging.acesso.gov.br/token"
    assert values["OIDC_OP_JWKS_ENDPOINT"] == "https://sso.staging.acesso.gov.br/jwk"
    assert values["OIDC_OP_USER_ENDPOINT"] == "https://outro.example/userinfo/"
    assert values["PORTAL_GOVBR_LOGOUT_ENDPOINT"] == "https://sso.staging.acesso.gov.br/logout"
    # django-axes stays first: it guards the password login; gov.br comes last.
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert (
        values["AUTHENTICATION_BACKENDS"][-1] == "servicedesk.accounts.govbr.backends.GovbrBackend"
    )


def test_without_a_client_secret_govbr_is_off():
    values = settings_with(
        PORTAL_GOVBR_ISSUER="https://sso.staging.acesso.gov.br/", PORTAL_GOVBR_CLIENT_ID="portal"
    )
    assert values["enabled"] is False


def test_an_unknown_minimum_level_stops_the_start():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_GOVBR_")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PORTAL_GOVBR_MIN_LEVEL": "ouro",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PORTAL_GOVBR_MIN_LEVEL must be bronze, silver or gold" in result.stderr
