"""pytest plugin loaded before Django: the test run's environment defaults.

Tests run with production settings (DEBUG off, cached templates, secure cookies) except for
what a test client on plain HTTP cannot do. A variable already set (DATABASE_URL in CI) wins.
"""

import os

# A developer's .env (written by `make run`: DEBUG=true) is not the tests' set-up.
os.environ.setdefault("PORTAL_ENV_FILE", "")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PORTAL_STATIC_FROM_SOURCE", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# The cached reads (servicedesk/core/readcache.py) are on in production, so tests run with
# them; one process, so the memory cache is shared by everything a test does.
os.environ.setdefault("PORTAL_READ_CACHE", "true")
