"""A real OpenID Connect provider (panva's oidc-provider, see provider/provider.mjs) on 127.0.0.1.

It is started once per test session and stopped by its PID at the end. The gov.br tests
skip, with the reason, on a machine without Node.js; .ci/run installs and runs them.
"""

import json
import logging
import os
import selectors
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
import requests

PROVIDER_DIR = Path(__file__).parent / "provider"
CLIENT_ID = "portal-siop-testes"
CLIENT_SECRET = "segredo-do-portal-nos-testes"
CALLBACK_URL = "http://testserver/entrar/govbr/retorno/"
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Provider:
    issuer: str


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        reason = "Node.js (node and npm) is needed to run the test gov.br OpenID provider"
        if os.environ.get("CI"):
            # CI installs Node.js (.ci/run): there, a skip would hide the whole gov.br suite.
            pytest.fail(reason)
        pytest.skip(reason)
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PROVIDER_DIR,
            check=True,
            timeout=300,
        )
    log = (tmp_path_factory.mktemp("oidc-provider") / "provider.log").open("w")
    env = {
        **os.environ,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": CALLBACK_URL,
    }
    process = subprocess.Popen(
        [node, "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE, stderr=log
    )
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=STARTUP_SECONDS)
        line = process.stdout.readline() if ready else b""
        if not line:
            raise RuntimeError(f"the test OpenID provider did not start; see {log.name}")
        yield Provider(issuer=json.loads(line)["issuer"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        log.close()


@pytest.fixture
def govbr(settings, oidc_provider) -> Provider:
    """The portal configured for the test provider, with gov.br's endpoint paths."""
    issuer = oidc_provider.issuer
    settings.PORTAL_GOVBR_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = issuer + "authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = issuer + "token"
    settings.OIDC_OP_JWKS_ENDPOINT = issuer + "jwk"
    settings.OIDC_OP_USER_ENDPOINT = issuer + "userinfo/"
    settings.PORTAL_GOVBR_LOGOUT_ENDPOINT = issuer + "logout"
    settings.OIDC_TIMEOUT = 3
    settings.PORTAL_GOVBR_MIN_LEVEL = ""
    return oidc_provider


def through_provider(authorize_url: str, **params) -> str:
    """Follow the provider's redirects like a browser would, with the test-only parameters
    of provider.mjs (login_hint, test_level, test_tamper, ...) added to the authorization
    request; return the path and query the provider sends the browser back to."""
    url = f"{authorize_url}&{urlencode(params)}" if params else authorize_url
    browser = requests.Session()
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text
        url = urljoin(url, response.headers["Location"])
        if url.startswith("http://testserver/"):
            return url.removeprefix("http://testserver")
    raise AssertionError("the provider never sent the browser back to the portal")


@pytest.fixture
def govbr_log():
    """The gov.br log lines of the test (works with or without pytest's logging plugin)."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("servicedesk.accounts.govbr")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)
