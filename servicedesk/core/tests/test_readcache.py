"""Cached reads stay right: a bump during a transaction and again at its commit; on the
portal's Redis backend (core/cache.py) as on the memory cache; without Redis, pages work."""

import time
import uuid

import pytest
import redis
from django.core.cache import cache

from servicedesk.core import readcache

pytestmark = pytest.mark.django_db


class Reads:
    def __init__(self):
        self.value = "primeiro"
        self.computed = 0

    def __call__(self):
        self.computed += 1
        return self.value


def read(reads: Reads) -> str:
    return readcache.cached("teste", depends_on=("teste",), compute=reads)


@pytest.fixture(params=["memória", "redis"])
def backend(request):
    """The memory cache of the tests and, in CI, the portal's Redis backend (core/cache.py)."""
    return request.getfixturevalue("redis_cache") if request.param == "redis" else cache


def test_an_entry_is_read_until_its_version_is_bumped(backend):
    reads = Reads()
    assert read(reads) == read(reads) == "primeiro"
    assert reads.computed == 1
    reads.value = "segundo"
    readcache.bump("teste")
    assert read(reads) == "segundo"
    assert reads.computed == 2
    assert backend.get("readcache:teste")[1] == "segundo"  # kept where the portal reads it


@pytest.mark.django_db(transaction=True)  # a real commit
def test_a_read_cached_before_the_commit_is_superseded_by_it():
    from django.db import transaction

    reads = Reads()
    with transaction.atomic():
        readcache.bump("teste")  # a writer, inside its transaction
        read(reads)  # another request caches what it saw before the commit
        reads.value = "depois do commit"
    assert read(reads) == "depois do commit"


def test_a_lost_version_starts_over_without_reusing_old_entries():
    reads = Reads()
    read(reads)
    cache.delete("readcache:version:teste")  # evicted
    reads.value = "novo"
    assert read(reads) == "novo"


def test_off_every_read_computes(settings):
    settings.PORTAL_READ_CACHE = False
    reads = Reads()
    read(reads)
    read(reads)
    assert reads.computed == 2


def test_reads_fetched_together_are_kept_and_outdated_one_by_one():
    """A page fetches its reads in one round trip; a bump outdates only the reads that
    depend on the bumped version."""
    cards, counts = Reads(), Reads()
    card_read = readcache.Read("cards", depends_on=("catalogo",))
    count_read = readcache.Read("counts", depends_on=("catalogo", "chamados"))

    def page() -> tuple[str, str]:
        fetched = readcache.fetch(card_read, count_read)
        return fetched.value(card_read, cards), fetched.value(count_read, counts)

    assert page() == page() == ("primeiro", "primeiro")
    assert (cards.computed, counts.computed) == (1, 1)
    counts.value = "segundo"
    readcache.bump("chamados")
    assert page() == ("primeiro", "segundo")
    assert (cards.computed, counts.computed) == (1, 2)


def test_a_read_not_fetched_with_the_others_is_still_kept():
    """A caller handing a page's reads to a selector that needs another one must not turn
    that read into a computation on every request."""
    reads = Reads()
    other = readcache.Read("outra", depends_on=("teste",))
    fetched = readcache.fetch(readcache.Read("pagina", depends_on=("catalogo",)))
    assert fetched.value(other, reads) == readcache.fetch().value(other, reads) == "primeiro"
    assert reads.computed == 1


@pytest.fixture
def redis_cache(settings, redis_url):
    prefix = f"teste-{uuid.uuid4().hex}"  # nothing shared with another run
    settings.CACHES = {
        "default": {
            "BACKEND": "servicedesk.core.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    yield cache
    server = redis.Redis.from_url(redis_url)
    if keys := list(server.scan_iter(f"{prefix}:*")):
        server.delete(*keys)


def test_the_redis_backend_keeps_one_client_per_pool(redis_cache):
    # The backend's point: one Redis client for its pool, not a new one per call.
    client = redis_cache._cache
    assert client.get_client("a") is client.get_client("b", write=True)


def test_on_redis_a_bump_adds_one_and_a_lost_version_restarts_from_the_clock(redis_cache):
    key = "readcache:version:teste"
    readcache.bump("teste")
    first = redis_cache.get(key)
    readcache.bump("teste", "outra")
    assert redis_cache.get(key) == first + 1
    redis_cache.delete(key)  # evicted
    before = time.time_ns()
    readcache.bump("teste")
    assert redis_cache.get(key) > before  # never an old value again


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "servicedesk.core.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_with_the_cache_unreachable_reads_come_from_the_database(settings, caplog):
    settings.CACHES = UNREACHABLE_REDIS
    reads = Reads()
    assert read(reads) == read(reads) == "primeiro"
    assert reads.computed == 2
    readcache.bump("teste")  # never raised into the write
    # The outage is logged once, not once per call (core/breaker.py).
    assert caplog.text.count("Redis cache unavailable") == 1


def test_pages_work_with_the_cache_unreachable(settings, client, requester):
    from django.urls import reverse

    settings.CACHES = UNREACHABLE_REDIS
    client.force_login(requester)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert "Meus chamados" in response.content.decode()
