import pytest
from django.core.management import call_command

from servicedesk.accounts.models import User

pytestmark = pytest.mark.django_db

DEMO = [
    ("529.982.247-25", "demo-requerente", False),
    ("111.444.777-35", "demo-requerente2", False),
    ("390.533.447-05", "demo-tecnico", False),
    ("456.789.123-64", "demo-infra", False),
    ("987.654.321-00", "demo-supervisor", True),
]


def test_demo_accounts_exist_log_in_and_the_command_is_idempotent(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert User.objects.count() == 5
    for cpf, password, is_admin in DEMO:
        assert f"CPF {cpf}  senha {password}" in out
        client.logout()
        assert client.post("/entrar/", {"cpf": cpf, "password": password}).status_code == 302
        user = User.objects.get(cpf=cpf.replace(".", "").replace("-", ""))
        assert user.is_superuser is is_admin and user.is_staff is is_admin


def test_seed_restores_a_changed_demo_password(client):
    call_command("seed_demo")
    user = User.objects.get(cpf="52998224725")
    user.set_password("trocada")
    user.save()
    call_command("seed_demo")
    assert (
        client.post("/entrar/", {"cpf": "52998224725", "password": "demo-requerente"}).status_code
        == 302
    )
