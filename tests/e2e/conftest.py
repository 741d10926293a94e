"""Browser tests: a real server on 127.0.0.1 with a fresh database, driven by Debian's Chromium.

The server runs with production settings (DEBUG off, the real CSP and security headers) but
plain HTTP. Every page a test opens reports its console errors and uncaught exceptions; a test
fails on any of them. The tests skip, saying why, where Chromium or Playwright is missing.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = E2E_DIR / "artifacts"
CHROMIUM = Path(os.environ.get("PORTAL_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def _missing_reason() -> str:
    if not CHROMIUM.exists():
        return (
            f"browser tests need Debian's Chromium at {CHROMIUM} "
            "(apt-get install -y chromium; .ci/run installs it)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the Python package playwright (pip install -e '.[dev]')"
    return ""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "e2e: browser test (Playwright + Chromium against a real server process)"
    )


def pytest_collection_modifyitems(config, items):
    reason = _missing_reason()
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# --- The server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(tmp: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The outer test run's database, cache and e-mail set-up are not the server's.
        if not key.startswith(("DATABASE_", "REDIS_", "EMAIL_", "PORTAL_", "DJANGO_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="e2e-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        PORTAL_STATIC_FROM_SOURCE="true",
        DATABASE_URL=f"sqlite:///{tmp / 'e2e.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        # Nothing leaves the machine: notifications stay in memory.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # One deliberate wrong password (the login page with errors) must not lock 127.0.0.1.
        PORTAL_LOGIN_FAILURE_LIMIT="50",
        # The checkout's .env (`make run`'s development settings) is not the server's.
        PORTAL_ENV_FILE="",
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} in {timeout}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_url(tmp_path_factory) -> str:
    """Base URL (no trailing slash) of a portal with the demo data on a fresh SQLite file."""
    reason = _missing_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("e2e-server")
    env = _server_env(tmp)
    python = sys.executable
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    port = _free_port()
    log = tmp / "server.log"
    gunicorn = Path(python).with_name("gunicorn")
    if gunicorn.exists():
        # One process, several threads: both browser contexts are served at once, and the
        # in-memory cache stays one cache.
        command = [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", "1", "--threads", "8", "--access-logfile", "-"]
    else:
        command = [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/entrar/", process, log)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- The browser ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    # Package scope: Playwright's event loop is gone before any other package's tests run
    # (Django refuses ORM calls from a thread with a running event loop).
    reason = _missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Chromium logs every 4xx/5xx response as a console error. Tests that provoke one on purpose
# (a form with errors answers 400) say so with `console.allow(...)`.
_HTTP_STATUS = re.compile(r"the server responded with a status of (\d{3})")
# What a page that answered 4xx/5xx told the user: field errors and error messages.
_PAGE_ERRORS = re.compile(
    r'<(?:span|div) class="(?:feedback danger|br-message danger)[^"]*"[^>]*>(.*?)</(?:span|div)>',
    re.S,
)


# Chromium does not always put a CSP violation in the console (an inline style attribute set
# by a script, for one): every watched page reports each violation's event as a console
# error, which the watcher below then counts like any other.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"}` +
      ` at ${event.sourceFile || "?"}:${event.lineNumber}:${event.columnNumber}` +
      ` sample=${JSON.stringify(event.sample)}`
  );
});
"""


class ConsoleWatcher:
    """Collects error-level console messages, uncaught exceptions and Content-Security-Policy
    violations of the pages it watches."""

    def __init__(self):
        self.errors: list[str] = []
        self._allowed_statuses: list[int] = []
        self._failed_pages: list = []  # pages and htmx answers with 4xx/5xx
        self._failed_pages_said: list[str] = []

    def watch(self, page, label: str):
        """Watch a page before it opens anything (the CSP reporter applies from the next
        navigation on)."""
        page.add_init_script(CSP_REPORTER)
        page.on("console", lambda message: self._console(label, page, message))
        page.on("pageerror", lambda error: self.errors.append(f"[{label}] pageerror: {error}"))
        page.on("response", self._response)

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type in {
            "document",
            "xhr",
            "fetch",
        }:
            self._failed_pages.append(response)

    def read_failed_pages(self) -> None:
        """What the pages that answered 4xx/5xx showed (read before their browser closes)."""
        for response in self._failed_pages:
            try:
                body = response.text()
            except Exception as error:  # a report, never a second failure
                body = f"(corpo indisponível: {error})"
            found = _PAGE_ERRORS.findall(body)
            messages = [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in found]
            messages = [message for message in messages if message]
            self._failed_pages_said.append(
                f"  {response.request.method} {response.url} -> {response.status}: {messages}"
            )
        self._failed_pages.clear()

    def _console(self, label, page, message):
        if message.type != "error":
            return
        match = _HTTP_STATUS.search(message.text)
        if match and int(match.group(1)) in self._allowed_statuses:
            return
        self.errors.append(f"[{label}] console error on {page.url}: {message.text}")

    @contextlib.contextmanager
    def allow(self, status: int):
        """Expect responses with this HTTP status (e.g. 400 for a form with errors) inside."""
        self._allowed_statuses.append(status)
        try:
            yield
        finally:
            self._allowed_statuses.remove(status)

    def check(self):
        assert not self.errors, "console errors or CSP violations:\n" + "\n".join(
            self.errors + self._failed_pages_said
        )


@pytest.fixture
def console():
    watcher = ConsoleWatcher()
    yield watcher
    watcher.check()


@pytest.fixture
def new_page(browser, console, live_url):
    """Open a page in a context of its own (its own cookies): new_page("label", viewport=...)."""
    contexts = []

    def open_page(label: str = "page", viewport: dict | None = None, **options):
        context = browser.new_context(
            base_url=live_url, viewport=viewport or DESKTOP, locale="pt-BR", **options
        )
        context.set_default_timeout(20_000)  # a loaded CI machine is slow, not broken
        contexts.append(context)
        page = context.new_page()
        console.watch(page, label)
        return page

    yield open_page
    console.read_failed_pages()
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory) -> list[Path]:
    """A PDF big enough for the upload progress bar to move, and a small PNG screenshot."""
    folder = tmp_path_factory.mktemp("e2e-files")
    pdf = folder / "oficio.pdf"
    filler = b"% preenchimento\n" * (1_500_000 // 16)
    pdf.write_bytes(b"%PDF-1.4\n" + filler + b"%%EOF\n")
    png = folder / "tela.png"
    png.write_bytes(png_bytes())
    return [pdf, png]


def png_bytes(width: int = 40, height: int = 20) -> bytes:
    """A valid PNG (a blue rectangle), built without an imaging library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + b"\x13\x51\xb4" * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
