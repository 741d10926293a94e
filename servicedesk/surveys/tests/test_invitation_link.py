"""The signed link of the survey invitation e-mail: for the ticket's requester, once logged in;
tampered and expired links get a 400 page in pt-BR; anyone else a 404."""

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.notifications.links import survey_link_token, survey_link_url
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(requester, agent):
    return TicketFactory(
        requester=requester,
        status=Status.RESOLVED,
        resolved_at=timezone.now(),
        assigned_agent=agent,
        subject__support_group=agent.support_groups.get(),
    )


def link_path(ticket):
    token = survey_link_token(ticket_number=ticket.number, requester_id=ticket.requester_id)
    return reverse("surveys:invitation", args=[token])


def test_the_link_takes_the_requester_to_the_survey_of_the_ticket(client, requester, resolved):
    client.force_login(requester)
    response = client.get(link_path(resolved))
    assert response.status_code == 302
    assert response["Location"] == f"/chamados/{resolved.number}/#avaliacao"
    page = client.get(response["Location"])
    assert 'id="avaliacao"' in page.content.decode()


def test_the_absolute_url_of_the_e_mail_points_at_the_same_view(settings, resolved):
    settings.PORTAL_BASE_URL = "https://atendimento.siop.gov.br"
    url = survey_link_url(ticket_number=resolved.number, requester_id=resolved.requester_id)
    assert url.startswith("https://atendimento.siop.gov.br/avaliacao/")


def test_logging_in_comes_first_then_back_to_the_link(client, requester, resolved, password):
    path = link_path(resolved)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={quote(path)}"
    logged_in = client.post(
        response["Location"], {"cpf": requester.cpf, "password": password, "next": path}
    )
    assert logged_in["Location"] == path
    assert client.get(path)["Location"] == f"/chamados/{resolved.number}/#avaliacao"


def another_payload(token: str) -> str:
    """The same signature on a payload naming another ticket."""
    number, requester_id = json.loads(signing.b64_decode(token.split(":")[0].encode()))
    payload = json.dumps([number + 1, requester_id], separators=(",", ":")).encode()
    return signing.b64_encode(payload).decode() + token[token.index(":") :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        another_payload,
        lambda token: token.split(":")[0],  # no signature at all
        lambda token: "nada-a-ver",
    ],
    ids=["signature", "payload", "unsigned", "garbage"],
)
def test_a_tampered_link_is_refused_with_a_400_page(client, requester, resolved, tamper):
    TicketFactory(requester=requester, status=Status.RESOLVED, resolved_at=timezone.now())
    client.force_login(requester)
    token = survey_link_token(ticket_number=resolved.number, requester_id=requester.pk)
    response = client.get(reverse("surveys:invitation", args=[tamper(token)]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Link inválido" in html and "foi alterado" in html


def test_an_expired_link_is_refused_with_a_link_to_the_ticket(client, requester, resolved):
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        path = link_path(resolved)
    client.force_login(requester)
    response = client.get(path)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Link expirado" in html and "30 dias" in html
    assert f'href="/chamados/{resolved.number}/#avaliacao"' in html


def test_a_link_of_29_days_still_works(client, requester, resolved):
    with time_machine.travel(timezone.now() - timedelta(days=29)):
        path = link_path(resolved)
    client.force_login(requester)
    assert client.get(path).status_code == 302


def test_someone_else_gets_a_404_even_an_agent_who_sees_the_ticket(client, agent, resolved):
    path = link_path(resolved)
    client.force_login(UserFactory())
    assert client.get(path).status_code == 404
    client.force_login(agent)
    assert client.get(path).status_code == 404


def test_a_link_made_for_another_requester_is_refused(client, requester, resolved):
    other = UserFactory()
    token = survey_link_token(ticket_number=resolved.number, requester_id=other.pk)
    client.force_login(requester)
    assert client.get(reverse("surveys:invitation", args=[token])).status_code == 404
