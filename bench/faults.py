"""Fault run: the portal under load while its services fail, and an account of what survived.

Starts, all on loopback and all its own: a PostgreSQL cluster and a Redis (AOF on) on free
ports, gunicorn, a Celery worker (prefork) and Celery beat (the outbox's sweep every few
seconds), and an SMTP sink in a process of its own. Threads open tickets with a file
through gunicorn for the whole run while, on a schedule, PostgreSQL is restarted (down a
few seconds), Redis is stopped, the worker is killed with SIGKILL (and another started),
and Redis is stalled (SIGSTOP: accepting connections, never answering). Then it waits for
the outbox to drain and counts:

- writes: tickets acknowledged (302 to the new ticket) vs found in the database, each with
  its file on disk byte for byte;
- e-mails: due (one to the requester and one per active agent of the group, per
  acknowledged ticket) vs delivered at the sink, by Message-ID: missing, and duplicated.

    .venv/bin/python -m bench.faults [--seconds 100] [--threads 6] [--agents 5]

Writes bench/results/faults.md and faults.json. Needs root or the postgres user for initdb
(bench/processes.py), redis-server and the PostgreSQL server binaries.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from bench.processes import (
    ROOT,
    OwnPostgres,
    OwnRedis,
    SmtpSinkProcess,
    Worker,
    free_port,
    portal_env,
    wait_for,
)

RESULTS = ROOT / "bench" / "results"
MESSAGE_ID = re.compile(r"<chamado(\d+)\.evento(\d+)\.usuario(\d+)@")
CSRF = "f" * 32


class Portal:
    """The processes of one run and the environment they share."""

    def __init__(self, args):
        self.args = args
        self.pg = OwnPostgres()
        self.redis = OwnRedis(appendonly=True)
        self.sink = SmtpSinkProcess()
        self.media = Path(tempfile.mkdtemp(prefix="portal-faults-media-"))
        self.port = free_port()
        self.queue = f"faults-{uuid.uuid4().hex[:6]}"
        self.gunicorn: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.workers: list[Worker] = []
        self.crashes = 0
        self.log = Path(tempfile.mkdtemp(prefix="portal-faults-logs-"))

    def env(self) -> dict[str, str]:
        return portal_env(
            DATABASE_URL=self.pg.url("portal"),
            DATABASE_CONN_MAX_AGE="0",
            REDIS_URL=self.redis.url(),
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            MEDIA_ROOT=str(self.media),
            EMAIL_PORT=str(self.sink.port),
            PORTAL_OUTBOX_SWEEP_SECONDS="5",
            PORTAL_OUTBOX_STALE_SECONDS="20",
            PORTAL_OUTBOX_MARK_RETRY_SECONDS="15",
            PORTAL_REDIS_RETRY_SECONDS="3",
            PORTAL_BROKER_TIMEOUT_SECONDS="1",
            GUNICORN_WORKERS="3",
        )

    def manage(self, *command: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def start(self) -> None:
        self.pg.start()
        self.pg.psql("postgres", "CREATE DATABASE portal")
        self.redis.start()
        self.sink.start()
        self.manage("migrate", "--noinput")
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
             "-b", f"127.0.0.1:{self.port}", "--timeout", "30", "config.wsgi"],
            cwd=ROOT, env=self.env(), stdout=(self.log / "gunicorn.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.start_worker()
        self.beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
             "--schedule", str(self.log / "beat-schedule")],
            cwd=ROOT, env=self.env(), stdout=(self.log / "beat.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(lambda: request(self.port, "GET", "/entrar/")[0] == 200, 60, "gunicorn")

    def start_worker(self) -> None:
        worker = Worker(self.env(), self.queue, pool="prefork", name="faults", concurrency=4)
        self.workers.append(worker)
        worker.ready(60)

    def supervise(self, stop: threading.Event) -> None:
        """Restart a worker that exited by itself, as systemd's Restart=always would (a
        Celery worker can die when its broker goes away: counted in the results)."""
        while not stop.wait(1):
            worker = self.workers[-1]
            if worker.process.poll() is not None and not getattr(worker, "killed", False):
                self.crashes += 1
                print(f"  worker {worker.process.pid} exited by itself; restarting", flush=True)
                time.sleep(2)
                self.start_worker()

    def stop(self) -> None:
        for process in (self.gunicorn, self.beat):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        for worker in self.workers:
            (self.log / f"worker-{worker.process.pid}.log").write_text(worker.stop())
        self.sink.close()
        self.redis.close()
        self.pg.close()


def request(port: int, method: str, path: str, body: bytes = b"", headers=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    except (OSError, http.client.HTTPException) as error:
        return 0, type(error).__name__
    finally:
        connection.close()


def seed(portal: Portal, requesters: int, agents: int) -> dict:
    """Users, a group, a card and a subject, and a logged-in session per requester."""
    os.environ.update(portal.env())
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY

    from servicedesk.accounts.tests.factories import UserFactory
    from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory

    group = SupportGroupFactory(name="Atendimento SIOP")
    team = [UserFactory(email=f"agente{i}@example.gov.br") for i in range(agents)]
    group.members.add(*team)
    subject = SubjectFactory(support_group=group)
    sessions = []
    for i in range(requesters):
        user = UserFactory(email=f"requerente{i}@example.gov.br")
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.save()
        sessions.append(store.session_key)
    return {
        "url": f"/servicos/{subject.service.slug}/{subject.pk}/",
        "sessions": sessions,
        "agents": agents,
    }


class Load:
    """Threads opening tickets, each with a small PDF whose bytes are unique."""

    def __init__(self, port: int, seeded: dict, threads: int):
        from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

        self.port, self.seeded, self.threads = port, seeded, threads
        self.pause = 0.5
        self.encode = lambda data: encode_multipart(BOUNDARY, data)
        self.content_type = MULTIPART_CONTENT
        self.acknowledged: dict[int, str] = {}  # ticket number -> sha256 of its file
        self.results: list[tuple[float, float, int, str]] = []  # start, seconds, status, kind
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _open(self, session: str, n: int) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        content = b"%PDF-1.4\n" + f"arquivo {uuid.uuid4().hex} {n}\n".encode() * 200
        body = self.encode(
            {"csrfmiddlewaretoken": CSRF, "nota": f"chamado {n}",
             "files": [SimpleUploadedFile(f"oficio-{n}.pdf", content, "application/pdf")]}
        )  # fmt: skip
        headers = {
            "Content-Type": self.content_type,
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        }
        started = time.monotonic()
        status, location = request(self.port, "POST", self.seeded["url"], body, headers)
        elapsed = time.monotonic() - started
        with self.lock:
            self.results.append((started, elapsed, status, "open"))
            if status == 302 and (match := re.search(r"/chamados/(\d+)/", location)):
                self.acknowledged[int(match.group(1))] = hashlib.sha256(content).hexdigest()

    def _opener(self, index: int) -> None:
        sessions = self.seeded["sessions"]
        n = 0
        while not self.stop.is_set():
            n += 1
            self._open(sessions[(index + n) % len(sessions)], index * 100_000 + n)
            # Each person pauses between tickets: the e-mails they cause stay within what
            # one worker sends on this machine, so the run measures loss, not a backlog.
            self.stop.wait(self.pause)

    def _reader(self) -> None:
        """A requester reading the home page the whole time (what a stalled Redis costs)."""
        headers = {"Cookie": f"sessionid={self.seeded['sessions'][0]}"}
        while not self.stop.is_set():
            started = time.monotonic()
            status, _ = request(self.port, "GET", "/", headers=headers)
            with self.lock:
                self.results.append((started, time.monotonic() - started, status, "read"))
            time.sleep(0.2)

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._opener, args=(i,)) for i in range(self.threads)]
        threads.append(threading.Thread(target=self._reader))
        for thread in threads:
            thread.start()
        return threads


def chaos(portal: Portal, start: float, seconds: float, events: list) -> None:
    """The schedule of failures, as fractions of the run."""

    def at(fraction: float):
        time.sleep(max(0.0, start + seconds * fraction - time.monotonic()))

    def note(what: str):
        events.append((round(time.monotonic() - start, 1), what))
        print(f"  {events[-1][0]:6.1f} s  {what}", flush=True)

    at(0.12)
    note("PostgreSQL stopped (immediate: every connection dropped)")
    portal.pg.stop()
    time.sleep(6)
    portal.pg.start()
    note("PostgreSQL started")
    at(0.32)
    note("Redis stopped (broker and cache)")
    portal.redis.stop()
    time.sleep(8)
    portal.redis.start()
    note("Redis started (AOF reloaded)")
    at(0.52)
    note("Celery worker killed (SIGKILL, with its pool)")
    portal.workers[-1].killed = True
    portal.workers[-1].kill()
    time.sleep(3)
    portal.start_worker()
    note("a new Celery worker started")
    at(0.70)
    note("Redis stalled (SIGSTOP: accepts, never answers)")
    portal.redis.pause()
    time.sleep(8)
    portal.redis.resume()
    note("Redis resumed (SIGCONT)")
    at(0.85)
    note("PostgreSQL stopped again")
    portal.pg.stop()
    time.sleep(4)
    portal.pg.start()
    note("PostgreSQL started")


def account(portal: Portal, load: Load, seeded: dict, drain_seconds: float) -> dict:
    from django.db import connections

    from servicedesk.outbox.models import Delivery, Event, EventStatus
    from servicedesk.tickets.models import Ticket

    connections.close_all()
    deadline = time.monotonic() + drain_seconds
    while time.monotonic() < deadline:
        try:
            pending = Event.objects.exclude(status=EventStatus.DONE).count()
        except Exception:  # the database may still be coming back
            connections.close_all()
            pending = -1
        if pending == 0:
            break
        time.sleep(2)
    drained_after = round(drain_seconds - (deadline - time.monotonic()), 1)
    time.sleep(3)  # anything sent twice would arrive now

    acknowledged = load.acknowledged
    found = {
        ticket.pk: ticket
        for ticket in Ticket.objects.filter(pk__in=list(acknowledged)).prefetch_related(
            "attachments"
        )
    }
    files_ok = 0
    for number, digest in acknowledged.items():
        ticket = found.get(number)
        attachments = list(ticket.attachments.all()) if ticket else []
        if len(attachments) == 1:
            path = portal.media / attachments[0].file.name
            if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                files_ok += 1
    saved_unacknowledged = Ticket.objects.exclude(pk__in=list(acknowledged)).count()

    per_ticket = 1 + seeded["agents"]
    due = {
        (number, user)
        for number, user in Delivery.objects.filter(
            event__data__ticket_id__in=list(acknowledged)
        ).values_list("event__data__ticket_id", "recipient_id")
    }
    received = Counter()
    arrivals: dict[tuple[int, int], list[tuple[str, float]]] = {}
    for message_id, arrived in portal.sink.arrivals():
        if match := MESSAGE_ID.search(message_id):
            key = (int(match.group(1)), int(match.group(3)))
            received[key] += 1
            arrivals.setdefault(key, []).append((message_id, arrived))
    duplicated = sum(count - 1 for count in received.values() if count > 1)
    missing = len(due - set(received))

    statuses = Counter(status for _, _, status, kind in load.results if kind == "open")
    reads = [seconds for _, seconds, status, kind in load.results if kind == "read"]
    stall = [
        seconds
        for started, seconds, status, kind in load.results
        if kind == "read" and load.stall_window[0] <= started <= load.stall_window[1]
    ]
    return {
        "requests": sum(statuses.values()),
        "responses": {str(key): value for key, value in sorted(statuses.items())},
        "acknowledged": len(acknowledged),
        "found": len(found),
        "files_intact": files_ok,
        "saved_but_not_acknowledged": saved_unacknowledged,
        "emails_due": len(acknowledged) * per_ticket,
        "deliveries_recorded": len(due),
        "emails_delivered_distinct": len(received),
        "emails_received_total": sum(received.values()),
        "emails_missing": missing,
        "emails_duplicated": duplicated,
        "duplicated_keys": [list(key) for key, count in received.items() if count > 1],
        "duplicates": [
            duplicate_account(portal, key, arrivals[key])
            for key, count in received.items()
            if count > 1
        ],
        "outbox_not_done": Event.objects.exclude(status=EventStatus.DONE).count(),
        "outbox_drained_after_seconds": drained_after,
        "home_page_p50_seconds": round(statistics.median(reads), 3) if reads else None,
        "home_page_during_stall_max_seconds": round(max(stall), 3) if stall else None,
        "home_page_during_stall_count": len(stall),
    }


def duplicate_account(portal, key: tuple[int, int], arrivals: list) -> dict:
    """What the outbox recorded of a message received twice, and when each copy arrived
    (seconds since the load started), to tell which fault caused it."""
    from servicedesk.outbox.models import Delivery

    ticket_id, user_id = key
    delivery = (
        Delivery.objects.filter(event__data__ticket_id=ticket_id, recipient_id=user_id)
        .values("pk", "event_id", "event__topic", "event__runs", "attempts", "status")
        .first()
    )
    return {
        "ticket": ticket_id,
        "user": user_id,
        "delivery": delivery,
        "arrived_at_seconds": sorted(round(at - portal.load_started, 2) for _, at in arrivals),
    }


def write(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "faults.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    r = results["account"]
    lines = [
        "# Fault run (bench/faults.py)",
        "",
        f"{results['seconds']} s of load ({results['threads']} threads opening tickets with a "
        f"file, pausing 0.5 s between them, one reading the home page) against gunicorn "
        f"(3 workers), a Celery worker (prefork, 4) and beat (sweep every 5 s), with "
        f"PostgreSQL and Redis of the run's own; {results['agents']} agents in the receiving "
        "group, so 1 + agents e-mails per ticket. Machine: 2 cores shared with other work; "
        "timings are noisy.",
        "",
        "## What failed, when",
        "",
        *[f"- {at} s: {what}" for at, what in results["events"]],
        f"- worker processes that exited by themselves and were restarted (as systemd would): "
        f"{results['worker_crashes_restarted']}",
        "",
        "## What survived",
        "",
        "| | count |",
        "|---|---|",
        f"| ticket openings sent | {r['requests']} (responses: {r['responses']}) |",
        f"| acknowledged (302 to the ticket) | {r['acknowledged']} |",
        f"| acknowledged and found, file byte for byte | {r['found']}, {r['files_intact']} |",
        f"| saved without an acknowledgement | {r['saved_but_not_acknowledged']} |",
        f"| e-mails due | {r['emails_due']} (outbox deliveries: {r['deliveries_recorded']}) |",
        f"| e-mails delivered (distinct) | {r['emails_delivered_distinct']} |",
        f"| **e-mails missing** | **{r['emails_missing']}** |",
        f"| **e-mails duplicated** | **{r['emails_duplicated']}** |",
        f"| outbox events not done at the end | {r['outbox_not_done']} |",
        f"| outbox drained after the load, in | {r['outbox_drained_after_seconds']} s |",
        f"| home page p50 over the run | {r['home_page_p50_seconds']} s |",
        f"| home page, slowest while Redis was stalled | "
        f"{r['home_page_during_stall_max_seconds']} s ({r['home_page_during_stall_count']} "
        "requests) |",
        "",
        "Non-302 answers are refusals while a service was down (503 with Retry-After while "
        "PostgreSQL was), never acknowledged, so never counted as due. Messages are counted by "
        "Message-ID, derived from (event, recipient): a message received twice is a duplicate "
        "even though mail clients would show it once.",
    ]
    if r["emails_duplicated"]:
        lines += [
            "",
            f"Duplicated (ticket, user): {r['duplicated_keys']}. The one window the outbox "
            "leaves (docs/outbox.md): a worker killed after the SMTP server accepted a message "
            "and before the commit of its record sends it again, with the same Message-ID.",
            "",
            "Each duplicate, with the outbox's record and when each copy arrived (seconds "
            "after the load started, to set against the faults above):",
            "",
            *(f"- {json.dumps(d, default=str)}" for d in r["duplicates"]),
        ]
    (RESULTS / "faults.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the sink's chatter
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=100)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--requesters", type=int, default=20)
    parser.add_argument("--drain-seconds", type=float, default=600)
    args = parser.parse_args()

    portal = Portal(args)
    events: list = []
    try:
        portal.start()
        seeded = seed(portal, args.requesters, args.agents)
        load = Load(portal.port, seeded, args.threads)
        start = time.monotonic()
        portal.load_started = time.time()
        load.stall_window = (start + args.seconds * 0.70, start + args.seconds * 0.70 + 8)
        threads = load.run()
        supervising = threading.Event()
        supervisor = threading.Thread(target=portal.supervise, args=(supervising,))
        supervisor.start()
        chaos_thread = threading.Thread(target=chaos, args=(portal, start, args.seconds, events))
        chaos_thread.start()
        time.sleep(max(0.0, start + args.seconds - time.monotonic()))
        chaos_thread.join()
        load.stop.set()
        for thread in threads:
            thread.join()
        print("load over; waiting for the outbox to drain", flush=True)
        account_of_run = account(portal, load, seeded, args.drain_seconds)
        supervising.set()
        supervisor.join()
        results = {
            "seconds": args.seconds,
            "threads": args.threads,
            "agents": args.agents,
            "events": events,
            "worker_crashes_restarted": portal.crashes,
            "account": account_of_run,
            "logs": str(portal.log),
        }
        write(results)
    finally:
        portal.stop()
    failed = results["account"]
    ok = (
        failed["acknowledged"] == failed["found"] == failed["files_intact"]
        and failed["emails_missing"] == 0
        and failed["emails_duplicated"] == 0
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
