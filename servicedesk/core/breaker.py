"""A small circuit-breaker for the optional services (Redis as cache, Redis as broker).

The portal works without them: the cache falls back to the database, an event the broker
could not take waits in the outbox for the sweep. What must not happen is every request
waiting for a service that stopped answering. After a failure the breaker is *open* for
`reset_after` seconds: callers skip the service at once instead of paying its timeout again.
Then one call is let through (half-open); its success closes the breaker, its failure opens
it for another period. The outage is logged once when it starts and once when it ends, not
once per request.

One breaker per service and process (threads share it): a module-level registry, since
Django keeps a cache backend per thread.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str, *, reset_after: float):
        """`reset_after`: seconds a failure keeps the service skipped before one call tries it."""
        self.name = name
        self.reset_after = reset_after
        self._open_until = 0.0  # time.monotonic(); 0: closed
        self._down_since: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def allow(self) -> bool:
        """True when the service may be called now (closed, or a half-open trial)."""
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                return False
            if self._down_since is not None:
                # Half-open: this caller tries; the others keep skipping while it does.
                self._open_until = now + self.reset_after
            return True

    def failure(self, error: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
            self._open_until = time.monotonic() + self.reset_after
        if first:
            logger.warning(
                "%s unavailable (%s: %s); skipped for %s s at a time until it answers again",
                self.name,
                type(error).__name__,
                error,
                self.reset_after,
            )

    def success(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            down_since, self._down_since, self._open_until = self._down_since, None, 0.0
        if down_since is not None:
            logger.warning(
                "%s available again after %.1f s", self.name, time.monotonic() - down_since
            )

    def reset(self) -> None:
        """Forget any outage (tests, or after reconfiguring the service)."""
        with self._lock:
            self._down_since, self._open_until = None, 0.0


_breakers: dict[str, CircuitBreaker] = {}
_registry_lock = threading.Lock()


def breaker(name: str, *, reset_after: float) -> CircuitBreaker:
    """The process's breaker for the service `name` (created on first use)."""
    with _registry_lock:
        found = _breakers.get(name)
        if found is None:
            found = _breakers[name] = CircuitBreaker(name, reset_after=reset_after)
        found.reset_after = reset_after
        return found


def reset_all() -> None:
    for each in list(_breakers.values()):
        each.reset()
