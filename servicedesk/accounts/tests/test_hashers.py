"""The hasher bounds how many Argon2 computations run at once in one process (memory)."""

import threading
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from servicedesk.accounts import hashers


def test_at_most_the_configured_number_of_hashes_run_at_once(settings, monkeypatch):
    settings.PORTAL_PASSWORD_HASHES_AT_ONCE = 2
    monkeypatch.setattr(hashers, "_slots", None)
    running, peak, lock = 0, 0, threading.Lock()

    def slow_encode(self, password, salt):
        # Stands in for the 19 MiB computation: only how many overlap is under test here.
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "argon2$x"

    monkeypatch.setattr(Argon2PasswordHasher, "encode", slow_encode)
    hasher = hashers.OwaspArgon2PasswordHasher()
    threads = [threading.Thread(target=hasher.encode, args=("s", "salt")) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2


@pytest.mark.django_db
def test_verification_goes_through_the_same_bound(settings, monkeypatch):
    settings.PORTAL_PASSWORD_HASHES_AT_ONCE = 1
    monkeypatch.setattr(hashers, "_slots", None)
    hasher = hashers.OwaspArgon2PasswordHasher()
    encoded = hasher.encode("senha", hasher.salt())
    hashers._slots.acquire()  # the only slot taken: verify must wait for it
    done = threading.Event()
    threading.Thread(target=lambda: (hasher.verify("senha", encoded), done.set())).start()
    assert not done.wait(0.3)
    hashers._slots.release()
    assert done.wait(10)
