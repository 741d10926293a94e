"""A stalled Redis (it accepts connections and never answers, as under SIGSTOP) costs a page
at most one short timeout, then nothing until it answers again, and the outage is logged
once. Measured before: every page waited for it (p50 18.9 s), the client had no timeouts."""

import logging
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from servicedesk.core import readcache

from .stalled import StalledServer

pytestmark = pytest.mark.django_db

TIMEOUT = 0.3


@pytest.fixture
def stall_redis(settings):
    """Call it to point the cache at a stalled Redis from then on."""
    server = StalledServer()

    def stall():
        settings.PORTAL_REDIS_RETRY_SECONDS = 30
        settings.CACHES = {
            "default": {
                "BACKEND": "servicedesk.core.cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{server.port}/0",
                "KEY_PREFIX": f"teste-{uuid.uuid4().hex}",
                "OPTIONS": {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT},
            }
        }

    yield stall
    server.close()


def timed_get(client, url) -> float:
    started = time.monotonic()
    response = client.get(url)
    assert response.status_code == 200
    return time.monotonic() - started


def test_a_stalled_redis_costs_one_timeout_then_nothing(stall_redis, client, requester, caplog):
    caplog.set_level(logging.INFO)
    client.force_login(requester)
    home = reverse("core:home")
    base = timed_get(client, home)  # the page with the memory cache: templates warmed up
    stall_redis()
    first = timed_get(client, home)
    assert first < TIMEOUT + base + 1.0, f"the first page waited {first:.2f} s"
    later = [timed_get(client, home) for _ in range(5)]
    assert max(later) < TIMEOUT, f"pages kept waiting for the stalled Redis: {later}"
    assert caplog.text.count("Redis cache unavailable") == 1
    assert "Meus chamados" in client.get(home).content.decode()


def test_when_redis_answers_again_the_cache_is_used_again(stall_redis, settings, redis_url, caplog):
    caplog.set_level(logging.INFO)
    stall_redis()
    settings.PORTAL_REDIS_RETRY_SECONDS = 0.5
    calls = []

    def compute():
        calls.append(1)
        return "valor"

    readcache.cached("x", depends_on=("v",), compute=compute)  # the stalled one: times out
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": redis_url,
        }
    }
    readcache.cached("x", depends_on=("v",), compute=compute)  # still skipped: no wait
    time.sleep(0.6)
    readcache.cached("x", depends_on=("v",), compute=compute)  # half-open: Redis answers
    readcache.cached("x", depends_on=("v",), compute=compute)  # now served from Redis
    assert len(calls) == 3
    assert "Redis cache available again" in caplog.text
    server = redis.Redis.from_url(redis_url)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    if keys := list(server.scan_iter(f"{prefix}:*")):
        server.delete(*keys)
    cache.clear()


def test_the_settings_give_the_cache_and_the_broker_short_timeouts():
    """What production runs with REDIS_URL set (read from a fresh settings module)."""
    code = (
        "from django.conf import settings as s; import json; "
        "print(json.dumps([s.CACHES['default']['OPTIONS'], s.CELERY_BROKER_TRANSPORT_OPTIONS]))"
    )
    output = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "redis://127.0.0.1:1/0",
             "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[3],
    ).stdout  # fmt: skip
    import json

    cache_options, broker_options = json.loads(output)
    assert cache_options == {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
    assert broker_options["socket_timeout"] == broker_options["socket_connect_timeout"] == 2
    assert broker_options["visibility_timeout"] == 600
