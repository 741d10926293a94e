"""A sync signature is accepted once across workers: two server processes that share only
the Redis cache (and the database) refuse, each, a signature the other one accepted."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from servicedesk.api.siop import SIGNATURE_REUSED, sign

ROOT = Path(__file__).resolve().parents[3]
SECRET = "segredo-dos-dois-processos"
CPF = "52998224725"
PATH = f"/api/v1/siop/users/{CPF}"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp: Path, redis_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "PORTAL_", "DJANGO_", "CELERY_"))
    }
    env.update(
        SECRET_KEY="siop-workers-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="true",
        PORTAL_SIOP_SYNC_SECRET=SECRET,
        PORTAL_STATIC_FROM_SOURCE="true",
    )
    return env


def _put(base: str, raw: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + PATH,
        data=raw,
        method="PUT",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _signed(raw: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"X-Siop-Timestamp": ts, "X-Siop-Signature": sign(SECRET, ts, "PUT", PATH, raw)}


@pytest.fixture
def two_servers(tmp_path, redis_url):
    env = _env(tmp_path, redis_url)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    gunicorn = str(Path(python).with_name("gunicorn"))
    processes, urls = [], []
    try:
        for number in range(2):
            port = _free_port()
            log = (tmp_path / f"server{number}.log").open("wb")
            command = [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, "the server exited"
                try:
                    urllib.request.urlopen(url + "/entrar/", timeout=10).close()
                    break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.1)
        yield urls
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_signature_accepted_by_one_worker_is_refused_by_the_other(two_servers):
    first, second = two_servers
    # A name of its own: the signature is new even if a previous run's is still remembered.
    raw = json.dumps({"name": f"Maria {uuid.uuid4().hex}", "active": True}).encode()
    headers = _signed(raw)

    status, body = _put(first, raw, headers)
    assert status == 201, body

    status, body = _put(second, raw, headers)
    assert (status, body["detail"]) == (401, SIGNATURE_REUSED)
    status, body = _put(first, raw, headers)
    assert (status, body["detail"]) == (401, SIGNATURE_REUSED)

    # The second worker itself is fine: a request signed anew is accepted there.
    raw = json.dumps({"name": f"Maria {uuid.uuid4().hex}", "active": True}).encode()
    status, body = _put(second, raw, _signed(raw))
    assert status == 200, body
