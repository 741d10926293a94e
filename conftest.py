"""Fixtures shared by every app's tests."""

import os

import pytest

from servicedesk.accounts.tests.factories import UserFactory

DEFAULT_PASSWORD = "senha-de-teste-123"


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files of a test land in its own folder, never in the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    # The database rolls back after each test; what was cached from it must go too. An
    # outage one test caused (a circuit-breaker left open) must not reach the next one.
    from django.core.cache import cache

    from servicedesk.core.breaker import reset_all

    reset_all()
    cache.clear()
    yield
    reset_all()
    cache.clear()


@pytest.fixture
def redis_url() -> str:
    """The Redis of the tests that need a real one (PORTAL_TEST_REDIS_URL, database 15 by
    default): required in CI, the test skipped elsewhere when it is down."""
    import redis

    url = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI at {url}: {error}")
        pytest.skip(f"Redis not reachable at {url}: {error}")
    return url


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def requester(db):
    return UserFactory(full_name="Maria Requerente da Silva")


@pytest.fixture
def agent(db):
    """A member of the support group "Atendimento SIOP"."""
    from servicedesk.catalog.tests.factories import SupportGroupFactory

    user = UserFactory(full_name="Tiago Técnico Oliveira")
    SupportGroupFactory(name="Atendimento SIOP").members.add(user)
    return user


@pytest.fixture
def supervisor(db):
    """Supervisor of the desk and administrator, like the demo account."""
    return UserFactory(
        full_name="Sara Supervisora Lima", is_staff=True, is_superuser=True, is_supervisor=True
    )
