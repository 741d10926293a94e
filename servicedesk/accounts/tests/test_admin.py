import pytest

from servicedesk.accounts.models import User, UserOrigin
from servicedesk.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


@pytest.mark.parametrize("term", ["529.982.247-25", "52998224725", "Requerente"])
def test_admin_finds_users_by_cpf_in_any_spelling_or_by_name(client, supervisor, term):
    UserFactory(cpf="52998224725", full_name="Maria Requerente")
    UserFactory(cpf="11144477735", full_name="João Outro")
    client.force_login(supervisor)
    response = client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maria Requerente" in html
    assert "João Outro" not in html


def test_admin_creates_a_user_from_a_formatted_cpf(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "cpf": "390.533.447-05",
            "full_name": "Tiago Técnico",
            "email": "tiago@example.gov.br",
            "origin": UserOrigin.LOCAL,
            "usable_password": "true",
            "password1": "Uma-Senha-Forte-99",
            "password2": "Uma-Senha-Forte-99",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(cpf="39053344705").full_name == "Tiago Técnico"


def test_admin_refuses_an_invalid_cpf_with_a_message(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "cpf": "390.533.447-00",
            "full_name": "X",
            "origin": UserOrigin.LOCAL,
            "usable_password": "false",
        },
    )
    assert response.status_code == 200
    assert "CPF inválido" in response.content.decode()
    assert not User.objects.filter(full_name="X").exists()
