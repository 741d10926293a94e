import pytest
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import CategoryFactory, ServiceFactory, SubjectFactory
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory
from servicedesk.tickets.tests.pages import counter

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


@pytest.fixture
def catalog():
    specific = CategoryFactory(
        name="Atendimentos específicos", slug="atendimentos-especificos", order=1
    )
    incidents = CategoryFactory(
        name="Tratamento de incidentes", slug="tratamento-de-incidentes", order=2
    )
    amendments = ServiceFactory(
        title="SIOP Emendas Parlamentares",
        slug="siop-emendas-parlamentares",
        category=specific,
        short_description="Cadastro e alteração de emendas.",
    )
    SubjectFactory(service=amendments, name="Erro ao cadastrar emenda")
    reports = ServiceFactory(
        title="Relatórios e consultas", category=specific, short_description="Consultas."
    )
    SubjectFactory(service=reports, name="Relatório de execução orçamentária")
    slow = ServiceFactory(
        title="Sistema indisponível ou lento", category=incidents, short_description="Fora do ar."
    )
    SubjectFactory(service=slow, name="Lentidão")
    ServiceFactory(title="Card desativado", category=specific, is_active=False)
    return {"specific": specific, "incidents": incidents, "amendments": amendments}


def cards(response) -> list[str]:
    html = response.content.decode()
    return [part.split("</span>")[0] for part in html.split('class="portal-service-title">')[1:]]


def test_home_shows_counters_tabs_and_active_cards(client, requester, catalog):
    client.force_login(requester)
    response = client.get(HOME)
    html = response.content.decode()
    assert response.status_code == 200
    for label in ["Todos", "Novo", "Atribuídos", "Aguardando", "Validar", "Resolvido", "Fechado"]:
        assert f'<span class="portal-counter-label">{label}</span>' in html
    assert (
        "Ver todos" in html
        and "Atendimentos específicos" in html
        and "Tratamento de incidentes" in html
    )
    assert cards(response) == [
        "SIOP Emendas Parlamentares",
        "Relatórios e consultas",
        "Sistema indisponível ou lento",
    ]


def test_a_tab_shows_only_its_cards(client, requester, catalog):
    client.force_login(requester)
    response = client.get(HOME, {"categoria": "tratamento-de-incidentes"})
    assert cards(response) == ["Sistema indisponível ou lento"]
    assert (
        'aria-current="page"><span class="name">Tratamento de incidentes'
        in response.content.decode()
    )


def test_unknown_tab_falls_back_to_all_cards(client, requester, catalog):
    client.force_login(requester)
    assert len(cards(client.get(HOME, {"categoria": "nao-existe"}))) == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("emenda", ["SIOP Emendas Parlamentares"]),
        ("EMENDAS parlamentares", ["SIOP Emendas Parlamentares"]),
        ("execucao orcamentaria", ["Relatórios e consultas"]),  # subject name, without accents
        ("lentidão", ["Sistema indisponível ou lento"]),
        ("nada a ver", []),
    ],
)
def test_search_filters_cards_and_subjects(client, requester, catalog, query, expected):
    client.force_login(requester)
    response = client.get(HOME, {"q": query})
    assert cards(response) == expected
    if not expected:
        assert "Nenhum card encontrado" in response.content.decode()


def test_search_with_htmx_returns_only_the_grid(client, requester, catalog):
    client.force_login(requester)
    response = client.get(
        HOME, {"q": "emenda"}, headers={"HX-Request": "true", "HX-Target": "catalogo-cards"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="catalogo-cards"')
    assert "<html" not in html
    assert cards(response) == ["SIOP Emendas Parlamentares"]


def test_counters_count_only_the_users_own_tickets(client, requester, catalog):
    for status, count in [(Status.NEW, 3), (Status.WAITING, 2), (Status.RESOLVED, 1)]:
        TicketFactory.create_batch(count, requester=requester, status=status)
    TicketFactory.create_batch(4)  # someone else's
    client.force_login(requester)
    html = client.get(HOME).content.decode()
    assert counter(html, "Todos") == 6
    assert counter(html, "Novo") == 3
    assert counter(html, "Aguardando") == 2
    assert counter(html, "Resolvido") == 1
    assert counter(html, "Fechado") == 0
    assert 'href="/chamados/?status=waiting"' in html


def test_home_query_count_does_not_grow_with_cards_or_tickets(
    client, requester, django_assert_num_queries
):
    category = CategoryFactory()
    for _ in range(30):
        service = ServiceFactory(category=category)
        SubjectFactory.create_batch(2, service=service)
    subject = SubjectFactory(service=service)
    TicketFactory.create_batch(200, requester=requester, subject=subject)
    client.force_login(requester)
    # session, user, counters (one aggregate), cards, their subjects, agent check (menu)
    with django_assert_num_queries(6):
        response = client.get(HOME)
    assert len(cards(response)) == 30
    # Then the counters, the cards and the agent check come from the cache: session, user.
    with django_assert_num_queries(2):
        response = client.get(HOME, {"q": "card", "categoria": category.slug})
    assert len(cards(response)) == 30


def test_home_shows_a_new_ticket_and_a_retired_card_at_once(client, requester, catalog):
    client.force_login(requester)
    html = client.get(HOME).content.decode()
    assert counter(html, "Novo") == 0
    assert "SIOP Emendas Parlamentares" in html
    TicketFactory(requester=requester)
    catalog["amendments"].is_active = False
    catalog["amendments"].save()
    html = client.get(HOME).content.decode()
    assert counter(html, "Novo") == 1
    assert "SIOP Emendas Parlamentares" not in html


def test_another_requesters_ticket_leaves_the_counters_cached(
    client, requester, catalog, django_assert_num_queries
):
    someone_else = UserFactory()
    subject = SubjectFactory(service=catalog["amendments"])
    client.force_login(requester)
    client.get(HOME)
    TicketFactory(requester=someone_else, subject=subject)
    with django_assert_num_queries(2):  # session, user
        html = client.get(HOME).content.decode()
    assert counter(html, "Novo") == 0


def test_the_desk_link_appears_as_soon_as_the_user_joins_a_group(client, requester, catalog):
    from servicedesk.catalog.tests.factories import SupportGroupFactory

    client.force_login(requester)
    assert "Mesa de atendimento" not in client.get(HOME).content.decode()
    group = SupportGroupFactory()
    group.members.add(requester)
    assert "Mesa de atendimento" in client.get(HOME).content.decode()
    group.members.remove(requester)
    assert "Mesa de atendimento" not in client.get(HOME).content.decode()


def test_home_requires_login(client):
    response = client.get(HOME)
    assert response.status_code == 302 and "/entrar/" in response.url
