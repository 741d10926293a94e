"""gunicorn settings of the portal (`gunicorn -c config/gunicorn.conf.py config.wsgi`).

Every value can be changed from the environment; the defaults suit a small VM.
"""

import ctypes
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _large_allocations_back_to_the_system() -> None:
    """Each password hash takes 19 MiB (Argon2id, servicedesk/accounts/hashers.py). glibc
    serves a block that size with mmap and returns it when freed, but then raises its mmap
    threshold to that size, so the next hashes come from the heap and stay resident: +45 MB
    per worker after the first login, +100 MB with 4 threads (one heap per thread). A fixed
    threshold of 8 MiB keeps every hash in its own mapping, returned at once, while the
    buffers of an upload (Django keeps files up to 2.5 MB in memory) stay on the heap: at
    1 MiB they were mapped and unmapped chunk by chunk, and opening a ticket with two 1 MB
    files cost a fifth more CPU. Set here, in the master, so every forked worker inherits it;
    a no-op where the C library is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_threshold = -3  # mallopt's M_MMAP_THRESHOLD (malloc.h)
    libc.mallopt(m_mmap_threshold, 8 * 1024 * 1024)


if os.environ.get("GUNICORN_MALLOC_TUNING", "true").lower() in {"1", "true", "yes"}:
    _large_allocations_back_to_the_system()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: the portal's requests are short and hold a database connection while
# they run. One or two per core. Each stays under 150 MB RSS, login waves included: 114 MB
# peak with 4 logins at once per worker, 136 MB with GUNICORN_THREADS=4 (measured with
# bench/login_rss.py, bench/results/login-rss.md; Argon2 at 19 MiB per hash, at most
# PORTAL_PASSWORD_HASHES_AT_ONCE at a time, memory returned by the mallopt below).
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2)
# Threads > 1 switch to the gthread worker: slow clients (uploads of large attachments) then
# stop blocking a whole process. Keep DATABASE_CONN_MAX_AGE > 0: each thread keeps its own
# persistent connection, so workers x threads connections in all.
threads = _int("GUNICORN_THREADS", 1)
# Recycle a worker after this many requests (with jitter, so they do not restart together):
# bounds the RSS growth of a long-running process.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# A request that takes longer is killed; attachments up to 25 MB arrive well within it.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Load Django once in the master and fork: faster start and shared memory pages. Database
# connections are opened lazily by each worker, never inherited from the master.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes"}
# The workers' heartbeat files in memory: a slow disk never makes a worker look hung.
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's documented advice, not a data file
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (
    _SHM if os.path.isdir(_SHM) else None
)
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
