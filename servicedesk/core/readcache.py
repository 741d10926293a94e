"""Reads that many pages repeat and few writes change, kept in the cache until a write does.

Each kind of data has a version: "catalog" (cards, subjects, groups), "people" (names and
roles of accounts), "tickets" (any ticket), "requester:<id>" (one requester's tickets) and
"ticket:<id>" (one ticket, its entries, files and solutions).
The writes that change one bump its version (the apps' signals.py), and readers key their
entries by the versions they depend on, so an entry is never read after a write that
concerns it; old entries just expire. A bump happens at once, so the writer's next read
(in its own transaction) sees its change, and again on commit, so that an entry another
request cached from the rows as they were before the commit is superseded as well.

Only with a cache every process shares (Redis): with the per-process memory cache, a bump in
one gunicorn worker would not reach the others. `PORTAL_READ_CACHE` turns it on; off, every
read goes to the database. With the cache unreachable, reads go to the database too: the
portal stays up without Redis (entries that missed a bump meanwhile expire after
PORTAL_READ_CACHE_SECONDS). The Redis backend's circuit-breaker (core/cache.py) logs the
outage once and keeps a stalled Redis from costing each request its timeout; here a failed
call is only a debug line.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What an unreachable or failing cache raises (Redis; the memory cache raises nothing).
CACHE_ERRORS = (RedisError, OSError)

_PREFIX = "readcache"


def _version_key(name: str) -> str:
    return f"{_PREFIX}:version:{name}"


def enabled() -> bool:
    return settings.PORTAL_READ_CACHE


def _bump_now(names: Iterable[str]) -> None:
    keys = [_version_key(name) for name in names]
    try:
        if hasattr(cache, "incr_many_from_clock"):  # the portal's Redis backend (core/cache.py)
            cache.incr_many_from_clock(keys)
            return
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:  # never read yet, or evicted: any new value will do
                cache.set(key, time.time_ns(), None)
    except CACHE_ERRORS:
        logger.debug("read cache: could not bump %s", list(names), exc_info=True)


def bump(*names: str) -> None:
    """The data these versions name has changed (or is about to, in this transaction)."""
    if not enabled():
        return
    _bump_now(names)
    transaction.on_commit(lambda: _bump_now(names))


@dataclass(frozen=True)
class Read:
    """A cached read: `name` tells entries apart (include the user or the parameters it
    varies with), `depends_on` the versions that outdate it."""

    name: str
    depends_on: tuple[str, ...]


class Fetched:
    """What fetch() found of some reads, in one round trip; value() gives each read's value,
    computing and storing it when missing or outdated."""

    def __init__(self, reads: tuple[Read, ...], found: dict | None):
        self._reads = frozenset(reads)
        self._found = found  # None: the cache is off or failed, compute everything

    def value(self, read: Read, compute: Callable[[], T]) -> T:
        if self._found is None:
            return compute()
        if read not in self._reads:  # not asked for with the others: its own round trip
            return fetch(read).value(read, compute)
        versions = [self._found[_version_key(name)] for name in read.depends_on]
        entry = self._found.get(_entry_key(read.name))
        if entry is not None and entry[0] == versions:
            return entry[1]
        value = compute()
        try:
            cache.set(_entry_key(read.name), (versions, value), settings.PORTAL_READ_CACHE_SECONDS)
        except CACHE_ERRORS:
            logger.debug("read cache: could not keep %s", read.name, exc_info=True)
        return value


def _entry_key(name: str) -> str:
    return f"{_PREFIX}:{name}"


def fetch(*reads: Read) -> Fetched:
    """The entries of `reads` and the versions they depend on, in one round trip to the
    cache: a page that needs several reads asks for them together."""
    if not enabled():
        return Fetched(reads, None)
    version_keys = list(dict.fromkeys(_version_key(n) for read in reads for n in read.depends_on))
    try:
        found = cache.get_many([*version_keys, *(_entry_key(read.name) for read in reads)])
        for key in version_keys:
            if key not in found:
                # Starting from the clock, a version lost with the cache is never reused.
                cache.add(key, time.time_ns(), None)
                found[key] = cache.get(key)
    except CACHE_ERRORS:
        names = [read.name for read in reads]
        logger.debug("read cache: %s read from the database", names, exc_info=True)
        return Fetched(reads, None)
    return Fetched(reads, found)


def value(read: Read, compute: Callable[[], T], fetched: Fetched | None = None) -> T:
    """The value of `read` from `fetched` (a page's reads, fetched together) or, without it,
    from a round trip of its own."""
    return (fetched or fetch(read)).value(read, compute)


def cached(name: str, *, depends_on: tuple[str, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned last time, if none of `depends_on` was bumped since.
    `name` tells entries apart (include the user or the parameters it varies with). One
    round trip to the cache: the entry is stored with the versions it was computed under."""
    return value(Read(name, depends_on), compute)
