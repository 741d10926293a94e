"""Worker memory during login waves: gunicorn with config/gunicorn.conf.py and production
settings, each worker receiving 4 logins at once (issue 16: Argon2 at Django's 100 MiB took
workers to 211 MB).

    python -m bench.login_rss --database-url postgres://postgres@127.0.0.1:5432/portal_h2 \\
        [--redis-url redis://127.0.0.1:6379/12] [--threads 1] [--waves 5] [--legacy-hashes]

The database is migrated and gets the accounts it needs (CPFs 9xx…, removed and made anew).
Each wave logs in `workers x 4` users at once, each through its own GET of the login page
(CSRF) and POST. Per worker it reports the peak resident memory (VmHWM, the kernel's own
high-water mark) and the resident memory after the waves. `--legacy-hashes` gives the
accounts hashes made with Django's default Argon2 (100 MiB): the first login of each after
the upgrade still verifies at that cost, then rehashes with the portal's parameters.
`--threads 4` runs gthread workers, where the 4 logins of a worker really run at once.
"""

import argparse
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Senha-De-Bench-2026"
CONCURRENT_PER_WORKER = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(args, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "GUNICORN_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY="login-rss-bench-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        PORTAL_STATIC_FROM_SOURCE="true",
        DATABASE_URL=args.database_url,
        DATABASE_CONN_MAX_AGE="600",
        PORTAL_LOGIN_FAILURE_LIMIT="100000",
        PORTAL_LOGIN_IP_FAILURE_LIMIT="100000",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_THREADS=str(args.threads),
        LOG_LEVEL="WARNING",
    )
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        env["CELERY_TASK_ALWAYS_EAGER"] = "true"
    else:
        env.pop("REDIS_URL", None)
    return env


def _prepare(env: dict[str, str], count: int, legacy: bool) -> list[str]:
    """Migrate and (re)create `count` accounts; returns their CPFs. Runs in a child process so
    this one keeps no Django of its own."""
    script = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from servicedesk.accounts.cpf import complete_cpf
from servicedesk.accounts.models import User
User.objects.filter(cpf__startswith="9").delete()
if {legacy!r}:
    hasher = Argon2PasswordHasher()
    encoded = [hasher.encode({PASSWORD!r}, hasher.salt()) for _ in range({count})]
else:
    encoded = [make_password({PASSWORD!r}) for _ in range({count})]
users = [
    User(cpf=complete_cpf(f"{{900_000_000 + n:09d}}"), full_name=f"Bench {{n}}", password=h)
    for n, h in enumerate(encoded)
]
User.objects.bulk_create(users)
print(" ".join(user.cpf for user in users))
"""
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return out.stdout.split()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 after a login is the answer itself


def _login(base: str, cpf: str, results: list, barrier: threading.Barrier) -> None:
    opener = urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar())
    )
    page = opener.open(base + "/entrar/", timeout=120).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    data = urllib.parse.urlencode(
        {"cpf": cpf, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    barrier.wait()  # the wave: every login of it posted at the same moment
    start = time.perf_counter()
    try:
        status = opener.open(base + "/entrar/", data=data, timeout=300).status
    except urllib.error.HTTPError as error:
        status = error.code
    results.append((status, time.perf_counter() - start))


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            fields[key] = int(value.split()[0])
    return fields


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--workers", type=int, default=0, help="default: the config's")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--legacy-hashes", action="store_true")
    parser.add_argument("--output", default="")
    args = parser.parse_args(argv)

    port = _free_port()
    env = _env(args, port)
    workers_expected = args.workers or multiprocessing.cpu_count() * 2  # the config's default
    per_wave = workers_expected * CONCURRENT_PER_WORKER
    cpfs = _prepare(env, per_wave * args.waves, args.legacy_hashes)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-c", "config/gunicorn.conf.py", "config.wsgi"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/entrar/", timeout=10).close()  # noqa: S310
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        workers = _workers(server.pid)
        assert len(workers) == workers_expected, workers
        before = {pid: _memory_kib(pid)["VmRSS"] for pid in workers}
        latencies, statuses = [], []
        for wave in range(args.waves):
            results: list = []
            barrier = threading.Barrier(per_wave)
            threads = [
                threading.Thread(target=_login, args=(base, cpf, results, barrier))
                for cpf in cpfs[wave * per_wave : (wave + 1) * per_wave]
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            statuses += [status for status, _ in results]
            latencies += [seconds for _, seconds in results]
        after = {pid: _memory_kib(pid) for pid in workers}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    ok = sum(status == 302 for status in statuses)
    kind = "Django's default Argon2 (100 MiB), first login" if args.legacy_hashes else "OWASP"
    lines = [
        f"Login waves: {len(workers)} gunicorn workers x {args.threads} thread(s), "
        f"{CONCURRENT_PER_WORKER} logins per worker at once, {args.waves} waves; "
        f"account hashes: {kind}.",
        f"Logins that succeeded (302): {ok} of {len(statuses)}; login time median "
        f"{statistics.median(latencies):.2f} s, slowest {max(latencies):.2f} s.",
        "",
        "| worker | RSS before | peak RSS (VmHWM) | RSS after |",
        "|---|---|---|---|",
    ]
    for number, pid in enumerate(workers, start=1):
        lines.append(
            f"| {number} | {before[pid] / 1024:.0f} MB | {after[pid]['VmHWM'] / 1024:.0f} MB "
            f"| {after[pid]['VmRSS'] / 1024:.0f} MB |"
        )
    text = "\n".join(lines)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as out:
            out.write(text + "\n\n")
    return 0 if ok == len(statuses) else 1


if __name__ == "__main__":
    sys.exit(main())
