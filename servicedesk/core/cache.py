"""Django's Redis cache backend, with one Redis client per connection pool, and the bump of
several read-cache versions in one round trip.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call (`get_client`),
and building one fills its table of response callbacks: ~75 µs, half the cost of a GET on
loopback, paid several times per page by the cached reads (core/readcache.py; issue 10). A
client holds no connection of its own, only its pool's, and redis-py clients are safe to
share between threads, so keeping one per pool changes nothing else."""

import time

from django.core.cache.backends import redis as django_redis


class _RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisCacheClient

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
