"""The portal's password hasher: Argon2id with the OWASP password-storage parameters, and a
bound on how many hashes one process computes at once."""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


@contextmanager
def _hashing_slot():
    """At most PORTAL_PASSWORD_HASHES_AT_ONCE Argon2 computations at a time in this process:
    each holds 19 MiB while it runs, and a gthread worker serving four logins at once would
    otherwise hold four (173 MB measured instead of 135 MB, bench/results/login-rss.md).
    argon2-cffi releases the GIL, so two at once still use both cores of a small VM."""
    global _slots
    if _slots is None:
        with _slots_lock:
            if _slots is None:
                _slots = threading.BoundedSemaphore(settings.PORTAL_PASSWORD_HASHES_AT_ONCE)
    with _slots:
        yield


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with m = 19 MiB, t = 2, p = 1: the minimum configuration of the OWASP
    Password Storage Cheat Sheet ("Use Argon2id with a minimum configuration of 19 MiB of
    memory, an iteration count of 2, and 1 degree of parallelism").

    Django's own default asks 100 MiB and 8 lanes per hash: login waves took gunicorn workers
    to 211 MB (issue 16). The algorithm name stays "argon2", so hashes made with Django's
    parameters still verify (at their own cost), and `must_update` (parameters differ)
    rehashes them with these at the user's next successful login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password, salt):
        with _hashing_slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with _hashing_slot():
            return super().verify(password, encoded)
