import re

import pytest
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.desk.decorators import DESK_ONLY
from servicedesk.tickets.models import EntryKind, Solution, TimelineEntry
from servicedesk.tickets.services.timeline import note_add
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import (
    AttachmentFactory,
    TicketFactory,
    TimelineEntryFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Segredo da equipe: usuário sem perfil"


@pytest.fixture
def world():
    group = SupportGroupFactory(name="Atendimento SIOP")
    subject = SubjectFactory(support_group=group)
    group.services.add(subject.service)
    agent = UserFactory(full_name="Tiago Técnico")
    group.members.add(agent)
    outsider = UserFactory()
    SupportGroupFactory(name="Infraestrutura").members.add(outsider)
    return {
        "group": group,
        "subject": subject,
        "agent": agent,
        "outsider": outsider,
        "supervisor": UserFactory(is_supervisor=True),
    }


def desk_url(ticket):
    return reverse("desk:ticket", args=[ticket.number])


def action_url(ticket, slug):
    return reverse("desk:action", args=[ticket.number, slug])


def action_titles(html):
    titles = re.findall(r'<summary class="br-button secondary">([^<]+)</summary>', html)
    return set(titles) | ({"Atribuir a mim"} if "Atribuir a mim" in html else set())


@pytest.mark.parametrize(
    ("status", "waiting_on", "who", "expected"),
    [
        (
            "new",
            "",
            "agent",
            {
                "Atribuir a mim",
                "Responder ao requerente",
                "Pedir informação",
                "Propor solução",
                "Nota privada",
                "Atribuir",
                "Aguardar terceiros",
            },
        ),
        (
            "new",
            "",
            "supervisor",
            {
                "Atribuir a mim",
                "Responder ao requerente",
                "Pedir informação",
                "Propor solução",
                "Nota privada",
                "Atribuir",
                "Aguardar terceiros",
                "Fechar chamado",
            },
        ),
        (
            "waiting",
            "requester",
            "agent",
            {
                "Responder ao requerente",
                "Propor solução",
                "Nota privada",
                "Atribuir",
                "Retomar atendimento",
            },
        ),
        ("to_validate", "", "agent", {"Responder ao requerente", "Nota privada", "Atribuir"}),
        ("resolved", "", "agent", {"Responder ao requerente", "Nota privada"}),
        (
            "resolved",
            "",
            "supervisor",
            {"Responder ao requerente", "Nota privada", "Fechar chamado"},
        ),
        ("closed", "", "supervisor", set()),
    ],
)
def test_the_desk_offers_exactly_the_allowed_actions(
    client, world, status, waiting_on, who, expected
):
    assigned = None if status == "new" else world["agent"]
    ticket = TicketFactory(
        subject=world["subject"], status=status, waiting_on=waiting_on, assigned_agent=assigned
    )
    client.force_login(world[who])
    html = client.get(desk_url(ticket)).content.decode()
    assert action_titles(html) == expected


def test_other_groups_agents_get_404_and_requesters_403(client, world):
    ticket = TicketFactory(subject=world["subject"])
    client.force_login(world["outsider"])
    assert client.get(desk_url(ticket)).status_code == 404
    assert client.post(action_url(ticket, "nota"), {"nota-body": "x"}).status_code == 404
    client.force_login(ticket.requester)
    response = client.get(desk_url(ticket))
    assert response.status_code == 403
    assert DESK_ONLY in response.content.decode()


def test_take_reply_and_htmx(client, world):
    ticket = TicketFactory(subject=world["subject"])
    client.force_login(world["agent"])
    response = client.post(reverse("desk:take", args=[ticket.number]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_agent) == (Status.ASSIGNED, world["agent"])
    response = client.post(
        action_url(ticket, "responder"),
        {"responder-body": "<p>Olá, <strong>Maria</strong></p>", "responder-body_format": "html"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("{#") is False and 'id="chamado-vivo"' in html
    assert "<p>Olá, <strong>Maria</strong></p>" in html
    assert "Resposta enviada." in html  # the result is announced inside the swapped region


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        (
            "responder",
            {"responder-body": "<p> </p>", "responder-body_format": "html"},
            "Escreva uma mensagem antes de adicionar.",
        ),
        ("aguardar-terceiros", {"aguardar-terceiros-reason": ""}, "Informe o motivo da espera."),
        ("atribuir", {"atribuir-agent": "999999"}, "Escolha uma das opções da lista."),
        ("atribuir", {}, "Escolha um técnico ou um grupo."),
        ("retomar", {}, "Esta ação não é permitida para um chamado com status “Atribuído”."),
        ("fechar", {}, "Você não tem permissão para esta ação neste chamado."),
        (
            "responder",
            {"responder-body": "Resposta", "responder-body_format": "markdown"},
            "O formulário chegou com um valor inválido em “formato do texto”.",
        ),
    ],
)
def test_bad_input_and_refused_transitions_are_messages_not_500(client, world, slug, data, message):
    ticket = TicketFactory(
        subject=world["subject"], status=Status.ASSIGNED, assigned_agent=world["agent"]
    )
    client.force_login(world["agent"])
    response = client.post(action_url(ticket, slug), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TimelineEntry.objects.filter(ticket=ticket).count() == 1


def test_unknown_action_is_404(client, world):
    ticket = TicketFactory(subject=world["subject"])
    client.force_login(world["agent"])
    assert client.post(action_url(ticket, "apagar")).status_code == 404


def test_agents_cannot_approve_or_refuse_a_solution(client, world):
    ticket = TicketFactory(
        subject=world["subject"], status=Status.TO_VALIDATE, assigned_agent=world["agent"]
    )
    entry = TimelineEntryFactory(ticket=ticket, kind=EntryKind.SOLUTION, actor=world["agent"])
    Solution.objects.create(ticket=ticket, entry=entry, author=world["agent"])
    for who in ("agent", "supervisor"):
        client.force_login(world[who])
        response = client.post(reverse("tickets:approve", args=[ticket.number]), {"body": ""})
        assert response.status_code == 400
        assert "Você não tem permissão para esta ação neste chamado." in response.content.decode()
        response = client.post(reverse("tickets:refuse", args=[ticket.number]), {"body": "não"})
        assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Status.TO_VALIDATE


def test_private_notes_never_reach_the_requester(client, world):
    ticket = TicketFactory(
        subject=world["subject"],
        status=Status.WAITING,
        waiting_on=WaitingOn.REQUESTER,
        assigned_agent=world["agent"],
    )
    note = note_add(actor=world["agent"], ticket=ticket, body=SECRET, body_format="text")
    note_file = AttachmentFactory(entry=note, original_name="relatorio-interno.pdf")
    client.force_login(world["agent"])
    assert SECRET in client.get(desk_url(ticket)).content.decode()

    client.force_login(ticket.requester)
    outputs = [
        client.get(reverse("tickets:detail", args=[ticket.number])),
        client.get(reverse("tickets:list")),
        client.get(reverse("tickets:list"), {"busca": "Segredo"}),
        client.get(reverse("core:home")),
        client.post(
            reverse("tickets:reply", args=[ticket.number]),
            {"body": "oi", "body_format": "text"},
            headers={"HX-Request": "true"},
        ),
    ]
    for response in outputs:
        html = response.content.decode()
        assert SECRET not in html and "relatorio-interno" not in html and "Nota privada" not in html
    assert client.get(note_file.get_absolute_url()).status_code == 404


def test_desk_ticket_view_query_count(client, world, django_assert_num_queries):
    ticket = TicketFactory(
        subject=world["subject"], status=Status.ASSIGNED, assigned_agent=world["agent"]
    )
    authors = [world["agent"], ticket.requester, world["supervisor"]]
    entries = [
        TimelineEntryFactory(ticket=ticket, actor=authors[i % 3], is_private=i % 5 == 0)
        for i in range(50)
    ]
    for i in range(30):
        AttachmentFactory(entry=entries[i])
    client.force_login(world["agent"])
    # session, user, the agent's groups and cards (scope: visibility and role), ticket,
    # entries, files, the agents and groups of the assign form
    with django_assert_num_queries(8):
        response = client.get(desk_url(ticket))
    assert response.content.decode().count('id="registro-') == 51
