"""Login timing: does a wrong password take as long for every kind of account? (issue 15, 5)

    python -m bench.login_timing [--rounds 30] [--before]

Creates a throw-away SQLite database, one account per kind of password hash (Argon2 with the
portal's parameters, PBKDF2 as SIOP exports it, PBKDF2 with fewer iterations, no usable
password) and an unknown CPF, then posts a wrong password to the login page for each, in
interleaved rounds, and prints the median and the fastest time of each kind. django-axes is
off (its lock-out would end the series after five failures). `--before` runs the set-up of
the base commit (Django's ModelBackend and its 100 MiB Argon2) for comparison. Timings on a
shared machine are noisy: compare the kinds within one run, not runs with each other.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("unknown CPF", "Argon2", "PBKDF2 (SIOP)", "PBKDF2 260k", "no usable password")


def _setup(before: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="login-timing-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        SECRET_KEY="login-timing-only-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        PORTAL_STATIC_FROM_SOURCE="true",
        LOG_LEVEL="ERROR",
    )
    os.environ.pop("REDIS_URL", None)
    import django
    from django.conf import settings

    django.setup()
    settings.AXES_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = [
        path for path in settings.AUTHENTICATION_BACKENDS if not path.startswith("axes.")
    ]
    if before:
        settings.AUTHENTICATION_BACKENDS[0] = "django.contrib.auth.backends.ModelBackend"
        settings.PASSWORD_HASHERS[0] = "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _accounts() -> dict[str, str]:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

    from servicedesk.accounts.cpf import complete_cpf
    from servicedesk.accounts.models import User

    pbkdf2 = PBKDF2PasswordHasher()
    hashes = {
        "Argon2": make_password("certa"),
        "PBKDF2 (SIOP)": make_password("certa", hasher="pbkdf2_sha256"),
        "PBKDF2 260k": pbkdf2.encode("certa", pbkdf2.salt(), iterations=260_000),
        "no usable password": make_password(None),
    }
    cpfs = {"unknown CPF": complete_cpf("300000000")}
    for number, (kind, encoded) in enumerate(hashes.items(), start=1):
        cpf = complete_cpf(f"{300_000_000 + number:09d}")
        User.objects.create(cpf=cpf, full_name=kind, password=encoded)
        cpfs[kind] = cpf
    return cpfs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--before", action="store_true", help="the base commit's set-up")
    args = parser.parse_args(argv)
    _setup(args.before)
    from django.test import Client

    cpfs = _accounts()
    client = Client()
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for _ in range(args.rounds):
        for kind in KINDS:
            start = time.perf_counter()
            response = client.post("/entrar/", {"cpf": cpfs[kind], "password": "errada"})
            times[kind].append(time.perf_counter() - start)
            assert response.status_code == 400, response.status_code
    label = "base commit (ModelBackend, Django's Argon2)" if args.before else "this branch"
    print(f"Wrong password at the login page, {args.rounds} rounds, {label}:")
    print("| account | median | fastest |")
    print("|---|---|---|")
    for kind in KINDS:
        print(
            f"| {kind} | {statistics.median(times[kind]) * 1000:.0f} ms "
            f"| {min(times[kind]) * 1000:.0f} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
