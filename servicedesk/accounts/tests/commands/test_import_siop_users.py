import json

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command

from servicedesk.accounts.cpf import CPF_INVALID_CHECK_DIGITS
from servicedesk.accounts.models import User
from servicedesk.accounts.services import SYNC_HASH_UNKNOWN
from servicedesk.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(path):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_siop_users", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_mixed_file_imports_good_lines_and_reports_each_bad_one(tmp_path, client):
    UserFactory(cpf="11144477735", full_name="Nome Antigo")
    lines = [
        json.dumps(
            {"cpf": "529.982.247-25", "name": "Maria", "email": "m@x.gov.br", "password": "Senha-1"}
        ),
        json.dumps({"cpf": "11144477735", "name": "João Atualizado", "active": False}),
        "{isto não é json",
        json.dumps({"cpf": "52998224724", "name": "CPF Errado"}),
        "",
        json.dumps({"cpf": "39053344705"}),
        json.dumps({"cpf": "98765432100", "name": "Hash", "password_hash": "md5$x$y"}),
        json.dumps(
            {"cpf": "12345678909", "name": "Com Hash", "password_hash": make_password("Senha-2")}
        ),
    ]
    path = tmp_path / "usuarios.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out, err = run(path)

    assert "2 criados, 1 atualizados, 4 rejeitados." in out
    assert "linha 3: rejeitada — __all__: O conteúdo não é um JSON válido." in err
    assert f"linha 4: rejeitada — cpf: {CPF_INVALID_CHECK_DIGITS}" in err
    assert "linha 6: rejeitada — name: Campo obrigatório." in err
    assert f"linha 7: rejeitada — password_hash: {SYNC_HASH_UNKNOWN}" in err
    assert "linha 5" not in err  # blank lines are skipped, not rejected
    assert set(User.objects.values_list("cpf", flat=True)) == {
        "52998224725",
        "11144477735",
        "12345678909",
    }
    updated = User.objects.get(cpf="11144477735")
    assert (updated.full_name, updated.is_active) == ("João Atualizado", False)
    assert client.post("/entrar/", {"cpf": "52998224725", "password": "Senha-1"}).status_code == 302
    client.logout()
    assert client.post("/entrar/", {"cpf": "12345678909", "password": "Senha-2"}).status_code == 302


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Não foi possível abrir"):
        run(tmp_path / "nao-existe.jsonl")
