"""A ticket of the group "Atendimento SIOP" with two active agents and an inactive one."""

from types import SimpleNamespace

import pytest

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.tickets.tests.factories import TicketFactory

# A valid CPF (check digits right), written as a requester would type it in a message.
CPF_IN_TEXT = "123.456.789-09"
CPF_MASKED = "***.456.789-**"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): service(...)` runs the on_commit callbacks (the e-mails) as the
    real commit would; the tests themselves run inside a transaction that never commits."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def team(agent):
    group = agent.support_groups.get()
    colleague = UserFactory(full_name="Carla Colega Souza")
    former = UserFactory(full_name="Ivo Inativo Ramos", is_active=False)
    group.members.add(colleague, former)
    return SimpleNamespace(group=group, agent=agent, colleague=colleague, former=former)


@pytest.fixture
def ticket(requester, team):
    return TicketFactory(
        requester=requester,
        subject__support_group=team.group,
        subject__name="Erro ao salvar emenda",
        answers=[
            {"label": "CPF do servidor", "value": CPF_IN_TEXT, "type": "cpf"},
            {"label": "Descrição", "value": "A tela trava ao salvar.", "type": "long_text"},
        ],
    )


def html_of(message) -> str:
    (alternative,) = message.alternatives
    assert alternative[1] == "text/html"
    return alternative[0]


def everything(message) -> str:
    """Subject, both parts and headers: what a "never contains" assertion must search."""
    return "\n".join([message.subject, message.body, html_of(message), str(message.extra_headers)])


def by_recipient(mailoutbox) -> dict[str, object]:
    sent = {}
    for message in mailoutbox:
        (address,) = message.to
        assert address not in sent, f"two messages to {address}"
        sent[address] = message
    return sent
