"""The portal's password hasher: Argon2id with the OWASP password-storage parameters."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with m = 19 MiB, t = 2, p = 1: the minimum configuration of the OWASP
    Password Storage Cheat Sheet ("Use Argon2id with a minimum configuration of 19 MiB of
    memory, an iteration count of 2, and 1 degree of parallelism").

    Django's own default asks 100 MiB and 8 lanes per hash: four logins at once in one
    gunicorn worker took its RSS above 200 MB (issue 16). The algorithm name stays "argon2",
    so hashes made with Django's parameters still verify, and `must_update` (parameters
    differ) rehashes them with these at the user's next successful login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
