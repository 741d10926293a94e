"""Load scenarios against gunicorn with wrk, side by side with the framework floor.

    python -m bench.run --database-url postgres://postgres@127.0.0.1/portal_bench_10k --label 10k

Counts each page's SQL queries once through the Django test client, starts gunicorn with
production settings (DEBUG off, persistent connections, cached templates, Redis), logs the
demo users in through the login form, runs every scenario with wrk and writes a markdown
table and a JSON file to bench/results/. With --smoke the exit status is 1 when a page
errors or runs more than QUERY_BUDGET queries (timings are reported, never asserted).
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk" / "scenario.lua"
QUERY_BUDGET = 10
DEMO_REQUESTER = ("52998224725", "demo-requerente")
DEMO_AGENT = ("39053344705", "demo-tecnico")
OPEN_TICKET_FILE_BYTES = 1024 * 1024
SEARCH_TEXT = "remanejamento beneficiário"


@dataclass
class Scenario:
    name: str
    label: str
    user: str  # "requester" or "agent"
    path: str
    budget: str = ""  # what issue 10 asks of it
    min_ratio: float | None = None
    connections: int | None = None  # default: --connections
    post: dict | None = None  # {"fields": {...}, "files": [(name, bytes)]}
    expect: int = 200
    result: dict = field(default_factory=dict)


def bench_environment(args) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "DATABASE_CONN_MAX_AGE": "600",
            "DEBUG": "false",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{args.port}",
            # Plain HTTP on loopback: no TLS redirect, cookies without the Secure flag.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "PORTAL_STATIC_FROM_SOURCE": "false",
            "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "portal-bench-static"),
            "MEDIA_ROOT": args.media_root,
            "REDIS_URL": args.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "PORTAL_BASE_URL": f"http://127.0.0.1:{args.port}",
            "PORTAL_BENCH_FLOOR": "true",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GUNICORN_BIND": f"127.0.0.1:{args.port}",
            "GUNICORN_WORKERS": str(args.workers),
            "GUNICORN_THREADS": "1",
            # No recycling during the run: the RSS reported at the end is the real one.
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_ACCESSLOG": "",
        }
    )
    return env


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "bench" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n% benchmark\n"
    return head + os.urandom(size - len(head))


def discover() -> list[Scenario]:
    """The URLs of the scenarios, from the data the generator wrote."""
    from django.db.models import Count

    from servicedesk.accounts.models import User
    from servicedesk.catalog.models import FormField, Service, Subject
    from servicedesk.tickets.models import Attachment, Ticket

    maria = User.objects.get(cpf=DEMO_REQUESTER[0])
    mine = Ticket.objects.filter(requester=maria)
    # Her ticket with the 50 entries and 30 files, known by its files: a run's POSTs add
    # tickets (two files each) and entries (the replies), never 30 files to one ticket.
    long_ticket = (
        mine.annotate(file_count=Count("attachments"))
        .order_by("-file_count", "-number")
        .values_list("number", flat=True)[:1]
        .get()
    )
    attachment = (
        Attachment.objects.filter(ticket_id=long_ticket).order_by("pk").values_list("pk", flat=True)
    )[:1].get()
    reply_ticket = (
        mine.filter(status__in=["new", "assigned"])
        .exclude(number=long_ticket)
        .order_by("-number")
        .values_list("number", flat=True)[:1]
        .get()
    )
    pages = max(1, (mine.count() + 19) // 20)
    subject = Subject.objects.select_related("service").get(
        service__slug="outros-assuntos", name="Dúvidas gerais sobre o SIOP"
    )
    fields = FormField.objects.filter(subject=subject)
    text = "Pedido aberto pelo benchmark sobre empenho."
    answers = {f"campo_{field.pk}": text for field in fields}
    card = Service.objects.get(slug="siop-emendas-parlamentares").pk
    files = [("oficio-1.pdf", pdf(OPEN_TICKET_FILE_BYTES)), ("oficio-2.pdf", pdf(1024 * 1024))]
    return [
        Scenario("floor", "Floor (bare view, same middleware)", "requester", "/bench/floor/"),
        Scenario("home", "Home", "requester", "/", "≥ 40 % of floor", 0.40),
        Scenario("my_tickets", "Meus chamados, p. 1", "requester", "/chamados/", "≥ 40 %", 0.40),
        Scenario(
            "my_tickets_mid",
            f"Meus chamados, p. {pages // 2 or 1}",
            "requester",
            f"/chamados/?pagina={pages // 2 or 1}",
            "≥ 40 %",
            0.40,
        ),
        Scenario(
            "ticket_50",
            "Ticket page, 50 entries, 30 files",
            "requester",
            f"/chamados/{long_ticket}/",
            "≥ 25 %",
            0.25,
        ),
        Scenario(
            "attachment",
            "Attachment download",
            "requester",
            f"/chamados/{long_ticket}/anexos/{attachment}/",
        ),
        Scenario("desk_unassigned", "Desk: Sem atribuição", "agent", "/mesa/", "≥ 20 %", 0.20),
        Scenario("desk_all", "Desk: Todos", "agent", "/mesa/?fila=todos", "≥ 20 %", 0.20),
        Scenario(
            "desk_filtered",
            "Desk: Todos, filtered (status, card, order) p. 2",
            "agent",
            f"/mesa/?fila=todos&status=assigned&card={card}&ordem=-aberto&pagina=2",
            "≥ 20 %",
            0.20,
        ),
        Scenario(
            "desk_search",
            f"Desk: full-text search “{SEARCH_TEXT}” (1 client)",
            "agent",
            f"/mesa/?fila=todos&busca={quote_plus(SEARCH_TEXT)}",
            "p95 < 150 ms",
            connections=1,
        ),
        Scenario(
            "open_ticket",
            "Open a ticket with two 1 MB files (POST, 8 clients)",
            "requester",
            f"/servicos/{subject.service.slug}/{subject.pk}/",
            "≥ 50 tickets/s",
            connections=8,
            post={"fields": answers, "files": files},
            expect=302,
        ),
        Scenario(
            "reply",
            "Reply on a ticket (POST)",
            "requester",
            f"/chamados/{reply_ticket}/responder/",
            post={
                "fields": {"body": "Resposta do benchmark.", "body_format": "text"},
                "files": [],
            },
            expect=302,
        ),
        # The floor again, last: it varies more than any page between runs (700 to 1,200
        # req/s on the same machine), so the ratios divide by the faster of the two.
        Scenario("floor_end", "Floor again, at the end", "requester", "/bench/floor/"),
    ]


def count_queries(scenarios: list[Scenario]) -> None:
    """Each page once through the test client, as the pinned tests count them, with the
    cache emptied first: the first load's count, before the cached reads kick in."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from servicedesk.accounts.models import User

    clients = {}
    for role, (cpf, _) in (("requester", DEMO_REQUESTER), ("agent", DEMO_AGENT)):
        client = Client()
        client.force_login(User.objects.get(cpf=cpf))
        client.get(scenarios[0].path)  # warm the template and URL caches
        clients[role] = client
    for scenario in scenarios:
        client = clients[scenario.user]
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            if scenario.post:
                data = dict(scenario.post["fields"])
                if scenario.post["files"]:
                    from django.core.files.uploadedfile import SimpleUploadedFile

                    data["files"] = [
                        SimpleUploadedFile(name, content, "application/pdf")
                        for name, content in scenario.post["files"]
                    ]
                response = client.post(scenario.path, data)
            else:
                response = client.get(scenario.path)
        scenario.result["queries"] = len(captured.captured_queries)
        scenario.result["status_client"] = response.status_code


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn não respondeu na porta {port}")


def log_in(base: str, cpf: str, password: str):
    import requests

    session = requests.Session()
    session.get(f"{base}/entrar/", timeout=30)
    response = session.post(
        f"{base}/entrar/",
        data={
            "cpf": cpf,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/entrar/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login de {cpf} falhou: {response.status_code}")
    return session


def run_wrk(scenario: Scenario, base: str, session, duration: int, connections: int, tmp: Path):
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    env = dict(os.environ, BENCH_COOKIE=cookie, BENCH_CSRF=session.cookies.get("csrftoken", ""))
    if scenario.post:
        fields = {**scenario.post["fields"], "csrfmiddlewaretoken": session.cookies["csrftoken"]}
        body, content_type = multipart(fields, scenario.post["files"])
        body_file = tmp / f"{scenario.name}.body"
        body_file.write_bytes(body)
        env.update(
            BENCH_BODY_FILE=str(body_file), BENCH_CONTENT_TYPE=content_type, BENCH_ORIGIN=base
        )
    command = [
        "wrk",
        "-t1" if connections == 1 else "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base + scenario.path,
    ]
    # Our own fixed command line (wrk, our Lua script, a loopback URL).
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    output = run.stdout
    match = re.search(r"BENCH_JSON (\{.*\})", output)
    if not match:
        raise SystemExit(f"wrk sem resultado para {scenario.name}:\n{output}")
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    errors = sum(value for key, value in data.items() if key.startswith("errors_"))
    return {
        "connections": connections,
        "requests": data["requests"],
        "rps": data["requests"] / seconds,
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": errors,
    }


def check_once(scenario: Scenario, base: str, session) -> int:
    """One request before the load: the page must answer what a browser would get."""
    if scenario.post:
        data = {**scenario.post["fields"], "csrfmiddlewaretoken": session.cookies["csrftoken"]}
        files = [
            ("files", (name, data, "application/pdf")) for name, data in scenario.post["files"]
        ]
        response = session.post(
            base + scenario.path,
            data=data,
            files=files or None,
            headers={"Referer": base + scenario.path, "Origin": base},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code == 302 and "/entrar/" in response.headers.get("Location", ""):
            return 401
        return response.status_code
    response = session.get(base + scenario.path, allow_redirects=False, timeout=60)
    return response.status_code


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children")
    pids = children.read_text().split() if children.exists() else []
    sizes = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        sizes.append(kb / 1024)
    return sizes


def verdict(scenario: Scenario, floor_rps: float) -> str:
    r = scenario.result
    if scenario.name == "desk_search":
        return "ok" if r["p95_ms"] < 150 else "MISSED"
    if scenario.name == "open_ticket":
        return "ok" if r["rps"] >= 50 else "MISSED"
    if scenario.min_ratio is None:
        return ""
    return "ok" if r["rps"] / floor_rps >= scenario.min_ratio else "MISSED"


FLOORS = ("floor", "floor_end")


def floor_for(scenario: Scenario, fastest_floor: float) -> float:
    """The floor a page is divided by: the one measured around it (half the duration before,
    half after); without it (the floors themselves, smoke runs), the faster of the floors
    measured first and last."""
    return scenario.result.get("floor_rps") or fastest_floor


def write_results(args, scenarios, rss, meta) -> Path:
    fastest = max(s.result["rps"] for s in scenarios if s.name in FLOORS)
    lines = [
        f"# Benchmark — {args.label} ({meta['tickets']:,} tickets)",
        "",
        f"{meta['when']} · {args.workers} gunicorn workers (sync), {args.duration} s per "
        f"scenario, {args.connections} connections unless noted · PostgreSQL "
        f"{meta['postgres']} · {os.cpu_count()} cores · wrk on the same machine.",
        "",
        "| Scenario | Clients | req/s | p50 ms | p95 ms | p99 ms | floor req/s | ÷ floor "
        "| Budget | Verdict | Queries | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|",
    ]
    for s in scenarios:
        r = s.result
        floor = floor_for(s, fastest)
        lines.append(
            f"| {s.label} | {r['connections']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {floor:.0f} | {r['rps'] / floor:.0%} | "
            f"{s.budget} | {verdict(s, floor)} | {r['queries']} | {r['errors']} |"
        )
    lines += [
        "",
        f"Worker RSS after the run (MB): {', '.join(f'{mb:.0f}' for mb in rss)} "
        f"(budget < 150 MB; max_requests off during the run).",
        "",
        "Queries: counted once per page through the Django test client (session and user "
        f"included); pages must stay ≤ {QUERY_BUDGET}. POSTs are writes and reported only.",
        "",
        "÷ floor: req/s against the faster of the two floors (first and last)."
        if args.smoke
        else f"÷ floor: req/s against the floor measured around the page ({args.connections} "
        "connections, half the duration just before it and half just after: the machine's "
        "speed drifts during a run); for the floors themselves, against the faster of the two.",
    ]
    out = RESULTS / f"{args.label}.md"
    out.write_text("\n".join(lines) + "\n")
    (RESULTS / f"{args.label}.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "rss_mb": rss,
                "scenarios": {
                    s.name: {"label": s.label, "path": s.path, **s.result} for s in scenarios
                },
            },
            indent=2,
        )
    )
    return out


def forget_what_the_run_wrote(started) -> None:
    """Delete the tickets, replies, files and outbox events the POST scenarios made: each run
    opens thousands of tickets with two 1 MB files (tens of GB over a few runs), and a data
    set that grows between runs would not measure the same pages twice."""
    from django.core.files.storage import default_storage

    from servicedesk.core.models import Submission
    from servicedesk.outbox.models import Event
    from servicedesk.tickets.models import Attachment, Ticket, TimelineEntry

    written = Attachment.objects.filter(created_at__gte=started)
    for name in written.values_list("file", flat=True).iterator():
        default_storage.delete(name)
    written.delete()
    Ticket.objects.filter(created_at__gte=started).delete()
    TimelineEntry.objects.filter(created_at__gte=started).delete()
    Event.objects.filter(created_at__gte=started).delete()
    Submission.objects.filter(created_at__gte=started).delete()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--label", required=True, help="nome dos arquivos em bench/results/")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--media-root", default=os.environ.get("MEDIA_ROOT", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--smoke", action="store_true", help="falha em erros e consultas demais")
    parser.add_argument("--only", help="cenários separados por vírgula (os floors sempre rodam)")
    args = parser.parse_args(argv)
    if not args.media_root:
        parser.error("--media-root (ou MEDIA_ROOT) é obrigatório: o mesmo do gerador")

    env = bench_environment(args)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("collectstatic", "--noinput", verbosity=0)
    started = timezone.now()
    scenarios = discover()
    if args.only:
        wanted = set(args.only.split(","))
        scenarios = [s for s in scenarios if s.name in FLOORS or s.name in wanted]
    count_queries(scenarios)
    from servicedesk.tickets.models import Ticket

    meta = {
        "tickets": Ticket.objects.count(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "postgres": connection.cursor().connection.info.server_version,
    }
    connection.close()

    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    base = f"http://127.0.0.1:{args.port}"
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", args.port)) == 0:
            raise SystemExit(f"A porta {args.port} já está em uso: escolha outra com --port.")
    gunicorn = subprocess.Popen(  # noqa: S603 - the virtualenv's gunicorn, our config
        [str(BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py"), "config.wsgi"],
        cwd=ROOT,
        env=env,
    )
    failures = []
    try:
        wait_for_port(args.port)
        sessions = {
            "requester": log_in(base, *DEMO_REQUESTER),
            "agent": log_in(base, *DEMO_AGENT),
        }
        floor = next(s for s in scenarios if s.name == "floor")
        half = max(1, args.duration // 2)

        def run_floor(seconds: int, tmp: Path) -> dict:
            """The floor again, just before and just after a page: this machine's speed
            drifts during a run (the floor went from 450 to 760 req/s within one), so each
            page is divided by the floor measured around it."""
            return run_wrk(floor, base, sessions["requester"], seconds, args.connections, tmp)

        with tempfile.TemporaryDirectory() as tmp:
            for scenario in scenarios:
                session = sessions[scenario.user]
                try:
                    status = check_once(scenario, base, session)
                except OSError as error:  # requests' timeouts and connection errors
                    print(f"{scenario.name}: {error}")
                    status = 599
                connections = 1 if args.smoke else (scenario.connections or args.connections)
                bracketed = not args.smoke and scenario.name not in FLOORS
                if bracketed:
                    run_wrk(scenario, base, session, 1, connections, Path(tmp))  # warm-up
                    floor_before = run_floor(half, Path(tmp))
                scenario.result.update(
                    run_wrk(scenario, base, session, args.duration, connections, Path(tmp))
                )
                if bracketed:
                    floor_after = run_floor(half, Path(tmp))
                    scenario.result["floor_rps"] = (floor_before["rps"] + floor_after["rps"]) / 2
                scenario.result["status"] = status
                r = scenario.result
                print(
                    f"{scenario.name:16} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.1f} ms  "
                    f"p99 {r['p99_ms']:7.1f} ms  queries {r['queries']:2}  status {status}  "
                    f"errors {r['errors']}",
                    flush=True,
                )
                if status != scenario.expect or r["status_client"] != scenario.expect:
                    failures.append(f"{scenario.name}: status {status}/{r['status_client']}")
                if r["errors"]:
                    failures.append(f"{scenario.name}: {r['errors']} erros no wrk")
                if not scenario.post and r["queries"] > QUERY_BUDGET:
                    failures.append(f"{scenario.name}: {r['queries']} consultas (> {QUERY_BUDGET})")
        rss = worker_rss_mb(gunicorn.pid)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        redis.Redis.from_url(args.redis_url).flushdb()
        forget_what_the_run_wrote(started)
    if args.smoke:
        print("(smoke: 1 connection per scenario, timings reported only)")
    out = write_results(args, scenarios, rss, meta)
    print(out.read_text())
    if failures:
        print("FALHAS:\n  " + "\n  ".join(failures))
        return 1 if args.smoke else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
