"""Error pages speak Brazilian Portuguese and keep the way back: 404 and 403 inside the
portal's layout; 400, 500 and the CSRF failure standalone (Django renders them without a
request, and they must not fail again)."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from servicedesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_an_unknown_address_is_a_404_in_portuguese(client, requester):
    client.force_login(requester)
    response = client.get("/nao-existe/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Página não encontrada" in html
    assert f'href="{reverse("tickets:list")}"' in html
    assert "Not Found" not in html


def test_someone_elses_ticket_is_the_same_404(client, requester):
    other = TicketFactory()
    client.force_login(requester)
    mine = client.get(reverse("tickets:detail", args=[other.number]))
    missing = client.get(reverse("tickets:detail", args=[other.number + 1000]))
    assert mine.status_code == missing.status_code == 404
    # Nothing tells them apart (but the per-response CSRF token of the logout form).
    assert without_token(mine) == without_token(missing)
    assert "Página não encontrada" in mine.content.decode()


def test_a_server_error_page_needs_nothing_but_the_template():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Algo deu errado do nosso lado" in html
    assert 'lang="pt-BR"' in html


def test_a_bad_request_page_is_in_portuguese():
    response = defaults.bad_request(RequestFactory().get("/"), exception=None)
    assert response.status_code == 400
    assert "Pedido inválido" in response.content.decode()


def test_a_form_posted_after_the_session_expired_explains_what_to_do(requester):
    client = Client(enforce_csrf_checks=True)
    client.force_login(requester)
    response = client.post(
        reverse("tickets:reply", args=[TicketFactory(requester=requester).number]), {"body": "Olá"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "A página expirou" in html
    assert "recarregue a página" in html


# --- The database unreachable -----------------------------------------------------------------

DATABASE_DOWN_SCRIPT = """
import django, json
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a" * 32  # a logged-in visitor: the session is in the database
answers = {}
for path in ["/", "/chamados/", "/mesa/"]:
    response = client.get(path)
    answers[path] = [response.status_code, response.get("Retry-After"),
                     response.content.decode()[:3000]]
login = Client(raise_request_exception=False).post(
    "/entrar/", {"cpf": "52998224725", "password": "demo-requerente"}
)
answers["login"] = [login.status_code, login.get("Retry-After"), login.content.decode()[:3000]]
print(json.dumps(answers))
"""


def test_with_the_database_unreachable_pages_answer_503_with_retry_after(tmp_path):
    """A real unreachable database: PostgreSQL on a port nobody listens on, in a process of
    its own (the test's own database stays up)."""
    import json
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    from servicedesk.core.error_views import DATABASE_UNAVAILABLE

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "PORTAL_STATIC_FROM_SOURCE": "true",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/portal",
        "PORTAL_RETRY_AFTER_SECONDS": "45",
    }
    output = subprocess.run(
        [sys.executable, "-c", DATABASE_DOWN_SCRIPT],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    answers = json.loads(output)
    for path, (status, retry_after, body) in answers.items():
        assert (status, retry_after) == (503, "45"), path
        assert DATABASE_UNAVAILABLE in body, path
    assert 'lang="pt-BR"' in answers["/"][2]


def test_too_much_form_text_says_why_instead_of_a_bare_400(client, requester, settings):
    """Issue 15, item 3: Django's own refusals (before any form) now say what happened."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(requester)
    ticket = TicketFactory(requester=requester)
    response = client.post(
        reverse("tickets:reply", args=[ticket.number]), {"body": "x" * 2000, "body_format": "text"}
    )
    assert response.status_code == 400
    assert "O envio passou do tamanho aceito" in response.content.decode()


def test_an_unreadable_upload_says_so(client, requester):
    client.force_login(requester)
    ticket = TicketFactory(requester=requester)
    body = b'--B\r\nContent-Disposition: form-data; name="body"\r\n' + b"x" * 20_000
    response = client.generic(
        "POST",
        reverse("tickets:reply", args=[ticket.number]),
        body,
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 400
    assert "Os arquivos enviados não puderam ser lidos" in response.content.decode()
