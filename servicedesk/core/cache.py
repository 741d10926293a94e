"""Django's Redis cache backend, with one Redis client per connection pool, the bump of
several read-cache versions in one round trip, and a circuit-breaker.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call (`get_client`),
and building one fills its table of response callbacks: ~75 µs, half the cost of a GET on
loopback, paid several times per page by the cached reads (core/readcache.py; issue 10). A
client holds no connection of its own, only its pool's, and redis-py clients are safe to
share between threads, so keeping one per pool changes nothing else.

Redis is an accelerator: when it stops answering (down, or stalled: accepting connections
and never replying), the socket timeouts in OPTIONS (settings: PORTAL_REDIS_CONNECT_TIMEOUT,
PORTAL_REDIS_TIMEOUT) bound one call, and the breaker (core/breaker.py) makes every other
call of every request fail at once for PORTAL_REDIS_RETRY_SECONDS, so a page pays at most
one timeout and the callers (readcache) read the database. redis-py is told not to retry
(a retry would double the wait).

Issue 17 replaces this private-API subclass with a maintained backend; the breaker and the
timeouts are settings and a wrapper, and move with it."""

import functools
import time

from django.conf import settings
from django.core.cache.backends import redis as django_redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.retry import Retry

from .breaker import breaker

# What the breaker counts as Redis not answering (socket errors and timeouts included).
_OUTAGE = (RedisError, OSError)


class CacheUnavailable(RedisConnectionError):
    """Raised at once while the breaker is open: Redis failed a moment ago."""


def _breaker():
    return breaker("Redis cache", reset_after=settings.PORTAL_REDIS_RETRY_SECONDS)


def _guarded(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        guard = _breaker()
        if not guard.allow():
            raise CacheUnavailable("the cache is skipped after a recent failure")
        try:
            result = method(self, *args, **kwargs)
        except _OUTAGE as error:
            guard.failure(error)
            raise
        guard.success()
        return result

    return call


class _RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(_RedisCacheClient, _name, _guarded(getattr(django_redis.RedisCacheClient, _name)))


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisCacheClient

    @_guarded
    def incr_many_from_clock(self, keys: list[str]) -> None:
        """Add one to each key, first setting a missing one to the clock in nanoseconds (so
        that a version lost with the cache never repeats an old value), in one round trip:
        a write bumps two or three versions (core/readcache.py), each a round trip before."""
        client = self._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipeline:
            for key in keys:
                key = self.make_and_validate_key(key)
                pipeline.set(key, time.time_ns(), nx=True)
                pipeline.incr(key)
            pipeline.execute()
