"""The development set-up `make run` gives a checkout (issue 14): every command the README
names runs in it as documented, e-mail links follow the port served, and an expected denial
shows the portal's own 404 page rather than Django's debug page."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.tickets.tests.factories import TicketFactory

ROOT = Path(__file__).resolve().parents[3]
# What a developer's shell does not have: the test run's own settings.
NOT_IN_A_DEVELOPERS_SHELL = ("DEBUG", "SECRET_KEY", "DATABASE_", "PORTAL_", "ALLOWED_HOSTS")


def checkout_env(env_file: Path, database: Path) -> dict[str, str]:
    """A shell in a `make run` checkout: nothing set by hand but the database file (the
    checkout's own db.sqlite3 is not the test's to touch) and which .env is the checkout's."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(NOT_IN_A_DEVELOPERS_SHELL)}
    return {**clean, "PORTAL_ENV_FILE": str(env_file), "DATABASE_URL": f"sqlite:///{database}"}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def dev_env_file(tmp_path) -> Path:
    """The .env `make run PORT=8201` writes (the Makefile's own target, into a temporary
    file), next to a line of the developer's own that it must keep."""
    env_file = tmp_path / ".env"
    env_file.write_text("EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend\n")
    result = subprocess.run(
        ["make", "--no-print-directory", "dev-env", "PORT=8201", f"DEV_ENV={env_file}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return env_file


@pytest.mark.slow
def test_make_run_writes_the_development_settings_and_keeps_the_developers_own(dev_env_file):
    text = dev_env_file.read_text()
    assert "DEBUG=true" in text
    assert "PORTAL_BASE_URL=http://127.0.0.1:8201" in text
    assert "EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend" in text


@pytest.mark.slow
def test_the_readmes_commands_run_in_a_make_run_checkout(dev_env_file, tmp_path):
    env = checkout_env(dev_env_file, tmp_path / "db.sqlite3")
    users = tmp_path / "usuarios.jsonl"
    users.write_text(json.dumps({"cpf": "529.982.247-25", "name": "Maria"}) + "\n")
    for command in (
        ["migrate", "--noinput"],
        ["seed_demo"],
        ["run_automatic_transitions"],
        ["import_siop_users", str(users)],
    ):
        result = manage(*command, env=env)
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    settings = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.PORTAL_BASE_URL)",
        env=env,
    )
    assert settings.stdout.split() == ["True", "http://127.0.0.1:8201"], settings.stderr


@pytest.mark.slow
def test_the_environment_wins_over_the_env_file(dev_env_file, tmp_path):
    env = checkout_env(dev_env_file, tmp_path / "db.sqlite3")
    env["PORTAL_BASE_URL"] = "https://atendimento.example.gov.br"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.PORTAL_BASE_URL)",
        env=env,
    )
    assert result.stdout.strip() == "https://atendimento.example.gov.br", result.stderr


# --- The portal's own 404 in development ------------------------------------------------


@pytest.fixture
def agent_and_foreign_ticket(db):
    mine, theirs = SupportGroupFactory(), SupportGroupFactory()
    agent = UserFactory()
    mine.members.add(agent)
    subject = SubjectFactory(support_group=theirs)
    theirs.services.add(subject.service)
    return agent, TicketFactory(subject=subject)


@pytest.mark.django_db
def test_in_development_a_ticket_outside_ones_groups_shows_the_portals_404(
    client, settings, agent_and_foreign_ticket
):
    settings.DEBUG = True
    agent, ticket = agent_and_foreign_ticket
    client.force_login(agent)
    for url in (
        reverse("desk:ticket", args=[ticket.number]),
        reverse("tickets:detail", args=[ticket.number]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "<h1>Página não encontrada</h1>" in html, url
        assert "Ir para Meus chamados" in html
        assert "Django" not in html and "Page not found" not in html


@pytest.mark.django_db
def test_in_development_an_address_that_matches_nothing_keeps_djangos_debug_page(
    client, settings, agent_and_foreign_ticket
):
    settings.DEBUG = True
    client.force_login(agent_and_foreign_ticket[0])
    response = client.get("/mesa/nao-existe/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_in_production_the_same_denial_shows_the_same_page(agent_and_foreign_ticket):
    agent, ticket = agent_and_foreign_ticket
    client = Client()
    client.force_login(agent)
    response = client.get(reverse("desk:ticket", args=[ticket.number]))
    assert response.status_code == 404
    assert "<h1>Página não encontrada</h1>" in response.content.decode()
