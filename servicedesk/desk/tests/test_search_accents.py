"""Every search a person runs ignores accents and case (issue 14, item 2): the words typed
the way people type them, without accents or in capitals, against the desk's search and
Meus chamados. Runs on the database of the run: SQLite by default, PostgreSQL in CI (where
the desk goes through full-text search with the `portuguese_unaccent` configuration)."""

import pytest
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import (
    ServiceFactory,
    SubjectFactory,
    SupportGroupFactory,
)
from servicedesk.core.search import fold
from servicedesk.tickets.tests.factories import TicketFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db


def numbers(html: str) -> list[int]:
    return [int(part.split("<")[0]) for part in html.split(">nº ")[1:]]


@pytest.fixture
def group():
    return SupportGroupFactory(name="Grupo de busca")


@pytest.fixture
def agent_client(client, group):
    agent = UserFactory(full_name="Ana Técnica")
    group.members.add(agent)
    client.force_login(agent)
    return client


@pytest.fixture
def requester():
    return UserFactory(full_name="João Conceição Araújo")


@pytest.fixture
def tickets(group, requester):
    """One ticket per place the desk searches, each with its own accented words; a ticket
    with none of them; someone else's ticket for Meus chamados."""
    service = ServiceFactory(title="Emendas Orçamentárias")
    group.services.add(service)
    plain = ServiceFactory(title="Outros serviços")
    group.services.add(plain)

    def ticket(subject_name: str, service=plain, **kwargs):
        subject = SubjectFactory(name=subject_name, service=service, support_group=group)
        return TicketFactory(subject=subject, **kwargs)

    made = {
        "name": ticket("Acesso", requester=requester),
        "subject": ticket("Crédito suplementar", service=service),
        "answers": ticket(
            "Pedido",
            answers=[{"label": "Descrição", "value": "Remanejamento da dotação do beneficiário"}],
        ),
        "entry": ticket("Consulta"),
        "noise": ticket("Cadastro"),
    }
    TimelineEntryFactory(ticket=made["entry"], body_text="A emenda de relator está bloqueada")
    return made


# (what the agent types, which ticket it must find): accented, unaccented, in capitals, in
# capitals without accents, and inflected (stemming on PostgreSQL, a substring on SQLite).
DESK_SEARCHES = [
    ("João", "name"),
    ("joao", "name"),
    ("JOÃO CONCEIÇÃO", "name"),
    ("conceicao araujo", "name"),
    ("joao araujo", "name"),
    ("Crédito", "subject"),
    ("credito", "subject"),
    ("CRÉDITO", "subject"),
    ("CREDITO SUPLEMENTAR", "subject"),
    ("dotação", "answers"),
    ("dotacao", "answers"),
    ("DOTAÇÃO", "answers"),
    ("DOTACAO", "answers"),
    ("beneficiario", "answers"),
    ("Remanejamento beneficiário", "answers"),
    ("bloqueada", "entry"),
    ("BLOQUEADA", "entry"),
    ("ESTA BLOQUEADA", "entry"),
    ("emenda relator", "entry"),
    ("EMENDA RELATÓR", "entry"),
]


@pytest.mark.parametrize(("busca", "found"), DESK_SEARCHES)
def test_the_desk_search_ignores_accents_and_case(agent_client, tickets, busca, found):
    response = agent_client.get(reverse("desk:queue"), {"fila": "todos", "busca": busca})
    assert response.status_code == 200
    assert numbers(response.content.decode()) == [tickets[found].number]


def test_the_desk_search_keeps_stemming_on_postgresql(agent_client, tickets, settings):
    """ "emendas" finds "emenda": the Portuguese stemmer stays behind the unaccenting."""
    if not settings.IS_POSTGRESQL:
        pytest.skip("stemming is PostgreSQL's full-text search; SQLite matches substrings")
    for busca in ("emendas", "EMENDAS", "relatores", "emendas bloqueadas"):
        html = agent_client.get(reverse("desk:queue"), {"fila": "todos", "busca": busca})
        assert numbers(html.content.decode()) == [tickets["entry"].number], busca


# (what the requester types, which of their tickets it must find), in Meus chamados: the
# card's title and the subject's name.
REQUESTER_SEARCHES = [
    ("Crédito", "subject"),
    ("credito", "subject"),
    ("CRÉDITO", "subject"),
    ("CREDITO", "subject"),
    ("suplementar", "subject"),
    ("Orçamentárias", "card"),
    ("orcamentarias", "card"),
    ("ORÇAMENTÁRIAS", "card"),
    ("EMENDAS ORCAMENTARIAS", "card"),
    ("relatorio", "other"),
    ("RELATÓRIO", "other"),
]


@pytest.fixture
def my_tickets(requester):
    card = ServiceFactory(title="Emendas Orçamentárias")
    other = ServiceFactory(title="Outros serviços")
    mine = {
        "subject": TicketFactory(
            requester=requester,
            subject=SubjectFactory(name="Crédito suplementar", service=other),
        ),
        "card": TicketFactory(
            requester=requester, subject=SubjectFactory(name="Acesso", service=card)
        ),
        "other": TicketFactory(
            requester=requester, subject=SubjectFactory(name="Relatório", service=other)
        ),
    }
    # Someone else's ticket with every word: never in my list.
    TicketFactory(subject=SubjectFactory(name="Crédito suplementar Relatório", service=card))
    return mine


@pytest.mark.parametrize(("busca", "found"), REQUESTER_SEARCHES)
def test_my_tickets_search_ignores_accents_and_case(client, requester, my_tickets, busca, found):
    client.force_login(requester)
    response = client.get(reverse("tickets:list"), {"busca": busca})
    assert response.status_code == 200
    assert numbers(response.content.decode()) == [my_tickets[found].number]


def test_a_search_with_like_wildcards_matches_them_as_text(client, requester, my_tickets):
    """% and _ are letters to look for, not patterns, after the folding too."""
    client.force_login(requester)
    for busca in ("%", "_", "cr_dito", "100%"):
        html = client.get(reverse("tickets:list"), {"busca": busca}).content.decode()
        assert numbers(html) == [], busca


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Dotação", "dotacao"), ("ORÇAMENTÁRIO", "orcamentario"), ("João", "joao"), ("ª", "a")],
)
def test_fold_lowers_and_strips_accents(text, folded):
    assert fold(text) == folded
