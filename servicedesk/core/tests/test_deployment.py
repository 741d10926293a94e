"""Production settings: `check --deploy` is clean, static files are served by WhiteNoise."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from servicedesk.core.checks import INSECURE_SECRET_KEY

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
    "ALLOWED_HOSTS": "atendimento.siop.example.gov.br",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "SECURE_SSL_REDIRECT"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_with_the_development_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert INSECURE_SECRET_KEY in result.stderr


@pytest.mark.slow
@pytest.mark.django_db
def test_whitenoise_serves_hashed_static_files_after_collectstatic(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "servicedesk.core.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)

    client = Client()
    page = client.get("/entrar/").content.decode()
    css_url = re.search(r'href="(/static/vendor/govbr-ds/core\.[^"]+\.css)"', page).group(1)
    assert css_url != "/static/vendor/govbr-ds/core.min.css"  # content-hashed name
    response = client.get(css_url)
    assert response.status_code == 200
    assert "max-age=315360000" in response.headers["Cache-Control"]


def test_pages_carry_a_same_origin_content_security_policy(client):
    response = client.get("/entrar/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_siop_sync_without_a_shared_cache_is_a_deploy_warning(settings):
    from servicedesk.core.checks import siop_replays_need_a_shared_cache

    settings.PORTAL_SIOP_SYNC_SECRET = "segredo"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in siop_replays_need_a_shared_cache(None)] == ["core.W001"]
    settings.CACHES = {"default": {"BACKEND": "servicedesk.core.cache.RedisCache"}}
    assert siop_replays_need_a_shared_cache(None) == []
    settings.PORTAL_SIOP_SYNC_SECRET = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert siop_replays_need_a_shared_cache(None) == []
