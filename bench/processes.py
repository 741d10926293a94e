"""Real services on loopback for the fault tests and the fault script (bench/faults.py): a
PostgreSQL and a Redis of their own (started on free ports, stopped and restarted by PID,
never the shared ones), an SMTP sink that counts what it receives, and Celery workers.

Everything binds to 127.0.0.1 and is stopped by the process that started it."""

import asyncio
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(
    os.environ.get("PORTAL_PG_BIN")
    or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), "/usr/bin")
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise TimeoutError(f"waited {seconds} s for {what}")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- PostgreSQL ---------------------------------------------------------------------------------


class OwnPostgres:
    """A throw-away PostgreSQL cluster (initdb in a temporary folder, trust auth) on a free
    port. initdb and the server refuse to run as root, so they run as the `postgres` user
    when this process is root."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )  # fmt: skip
        conf = self.data / "postgresql.conf"
        with conf.open("a") as extra:
            extra.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\nmax_connections = 60\n"
                # An immediate stop is a crash of the server, not of the machine: skipping
                # fsync loses nothing; synchronous_commit stays on (a commit the portal was
                # told about survives the crash, as in production).
                "fsync = off\nfull_page_writes = off\n"
            )

    def _run(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess:
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def start(self) -> None:
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                   "-t", "60", "start"])  # fmt: skip
        wait_for(lambda: _port_open(self.port), 30, "the own PostgreSQL to listen")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` drops every connection at once, as a crash or a failover would."""
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
                  check=False)  # fmt: skip

    def restart(self, down_seconds: float = 0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        return subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def create_database_from(self, source_url: str, database: str) -> str:
        """A new database holding a copy of `source_url`'s schema and rows (pg_dump)."""
        self.psql("postgres", f"CREATE DATABASE {database}")
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", source_url],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
             "-q", "-v", "ON_ERROR_STOP=1"],
            input=dump, capture_output=True, check=True,
        )  # fmt: skip
        return self.url(database)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- Redis --------------------------------------------------------------------------------------


class OwnRedis:
    """A redis-server of its own on a free port; `appendonly` as production should run it
    when it is the broker (README: what needs persistence)."""

    def __init__(self, appendonly: bool = True):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-redis-"))
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.folder), "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: _port_open(self.port), 15, "the own Redis to listen")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def pause(self) -> None:
        """SIGSTOP: the socket accepts and nothing answers (a stalled Redis)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def close(self) -> None:
        with suppress(ProcessLookupError, AttributeError):
            self.resume()
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- SMTP sink ----------------------------------------------------------------------------------


class SmtpSink:
    """An SMTP server on loopback (aiosmtpd) that keeps every message it accepts. `hold_after`
    makes it stop answering RCPT once that many messages were accepted, until release():
    a worker caught mid fan-out, with the next message not yet sent."""

    def __init__(self, port: int | None = None, *, hold_after: int | None = None, delay: float = 0):
        from aiosmtpd.controller import Controller

        self.port = port or free_port()
        self.delay = delay  # seconds before answering DATA: a slow relay
        self.messages: list[tuple[tuple[str, ...], bytes]] = []
        self.hold_after = hold_after
        self.holding = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        while self.hold_after is not None and len(self.messages) >= self.hold_after:
            if self._released.is_set():
                break
            self.holding.set()
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append((tuple(envelope.rcpt_tos), envelope.original_content))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self._released.set()

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release()
        self.controller.stop()

    def message_ids(self) -> list[str]:
        ids = []
        for _, raw in list(self.messages):
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            ids.append(str(parsed["Message-ID"]))
        return ids

    def per_recipient(self) -> Counter:
        return Counter(rcpt for rcpts, _ in list(self.messages) for rcpt in rcpts)


# --- Celery -------------------------------------------------------------------------------------


class SmtpSinkProcess:
    """An SMTP sink in a process of its own (aiosmtpd's Mailbox handler writing a Maildir),
    as a real relay is: its answers don't wait on the load generator's threads. The fault
    script uses it, so that the time between the sink's acceptance of a message and its
    "250" reaching the worker is a relay's, not the time the script's own GIL holds it."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-sink-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> "SmtpSinkProcess":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(self.folder / "maildir")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: _port_open(self.port), 15, "SMTP sink")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def message_ids(self) -> list[str]:
        return [message_id for message_id, _ in self.arrivals()]

    def arrivals(self) -> list[tuple[str, float]]:
        """(Message-ID, time the sink wrote it, epoch seconds) of every message received."""
        found = []
        for path in (self.folder / "maildir").glob("*/*"):
            if path.parent.name in ("new", "cur"):
                parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                found.append((str(parsed["Message-ID"]), path.stat().st_mtime))
        return found

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class Worker:
    """`celery -A config worker` in a process of its own; its output is kept."""

    def __init__(
        self,
        env: dict[str, str],
        queue: str,
        *,
        pool: str = "solo",
        name: str = "w",
        concurrency: int = 2,
    ):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}",
             "-Q", queue, "-n", f"{name}-{queue}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO", f"--concurrency={concurrency}"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,  # its pool's children die with it (kill())
        )  # fmt: skip
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def ready(self, seconds: float = 30) -> "Worker":
        wait_for(lambda: self.saw("ready."), seconds, "the Celery worker to start")
        return self

    def kill(self) -> None:
        """SIGKILL to the worker and its pool, as when its machine or container dies: no warm
        shutdown, no acknowledgement, whatever it was doing."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout=5)
        return "".join(self.lines)


def portal_env(**overrides: str) -> dict[str, str]:
    """The environment of a portal process (worker, gunicorn, beat) for these tests."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "fault-tests-secret-key-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "PORTAL_STATIC_FROM_SOURCE": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_TIMEOUT": "5",
        "PORTAL_OUTBOX_RETRY_BASE_SECONDS": "1",
        "PORTAL_OUTBOX_RETRY_MAX_SECONDS": "5",
    }
    env.update(overrides)
    return env
