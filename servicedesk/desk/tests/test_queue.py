"""The desk queue page /mesa/: queues and counts, filters, search, sorting, pages, visibility,
htmx and its query count."""

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import (
    ServiceFactory,
    SubjectFactory,
    SupportGroupFactory,
)
from servicedesk.desk import forms
from servicedesk.desk.decorators import DESK_ONLY
from servicedesk.tickets.models import EntryKind, Ticket, TimelineEntry
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import TicketFactory, TimelineEntryFactory
from servicedesk.tickets.tests.pages import counter

pytestmark = pytest.mark.django_db

QUEUE = reverse("desk:queue")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "mesa-fila"}


def numbers(html: str) -> list[int]:
    return [int(part.split("<")[0]) for part in html.split(">nº ")[1:]]


def field_errors(html: str) -> list[str]:
    return [
        error.strip()
        for error in re.findall(r'class="feedback danger"[^>]*>.*?</i>(.*?)</span>', html, re.S)
    ]


@pytest.fixture
def group_a(db):
    return SupportGroupFactory(name="Grupo A")


@pytest.fixture
def group_b(db):
    return SupportGroupFactory(name="Grupo B")


@pytest.fixture
def subject_a(group_a):
    subject = SubjectFactory(
        name="Emenda parlamentar", service=ServiceFactory(title="Card A"), support_group=group_a
    )
    group_a.services.add(subject.service)
    return subject


@pytest.fixture
def subject_b(group_b):
    subject = SubjectFactory(
        name="Crédito adicional", service=ServiceFactory(title="Card B"), support_group=group_b
    )
    group_b.services.add(subject.service)
    return subject


@pytest.fixture
def agent(group_a):
    user = UserFactory(full_name="Ana Técnica")
    group_a.members.add(user)
    return user


@pytest.fixture
def colleague(group_a):
    user = UserFactory(full_name="Caio Colega")
    group_a.members.add(user)
    return user


@pytest.fixture
def desk_supervisor(db):
    return UserFactory(full_name="Sílvia Supervisora", is_supervisor=True)


@pytest.fixture
def logged(client, agent):
    client.force_login(agent)
    return client


def get(client, **params) -> str:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response.content.decode()


# --- Queues and counts -------------------------------------------------------------------


@pytest.fixture
def board(subject_a, agent, colleague, group_b):
    """One ticket of each kind the queues tell apart, all on a card group A serves."""
    make = lambda **kw: TicketFactory(subject=subject_a, **kw)  # noqa: E731
    return {
        "unassigned": make(status=Status.NEW),
        "unassigned_resolved": make(status=Status.RESOLVED),
        "mine": make(status=Status.ASSIGNED, assigned_agent=agent),
        "mine_closed": make(status=Status.CLOSED, assigned_agent=agent),
        "colleague": make(status=Status.ASSIGNED, assigned_agent=colleague),
        # Routed to group B but on a card group A serves: visible, not in "my groups".
        "other_group": make(
            status=Status.ASSIGNED, assigned_agent=colleague, assigned_group=group_b
        ),
        "waiting_requester": make(
            status=Status.WAITING, waiting_on=WaitingOn.REQUESTER, assigned_agent=agent
        ),
        "waiting_third_party": make(
            status=Status.WAITING, waiting_on=WaitingOn.THIRD_PARTY, assigned_agent=colleague
        ),
        "to_validate": make(status=Status.TO_VALIDATE, assigned_agent=agent),
    }


QUEUE_MEMBERS = {
    "sem-atribuicao": {"unassigned"},
    "meus": {"mine", "waiting_requester", "to_validate"},
    "meus-grupos": {
        "unassigned",
        "mine",
        "colleague",
        "waiting_requester",
        "waiting_third_party",
        "to_validate",
    },
    "aguardando": {"waiting_requester", "waiting_third_party"},
    "validar": {"to_validate"},
    "todos": {
        "unassigned",
        "unassigned_resolved",
        "mine",
        "mine_closed",
        "colleague",
        "other_group",
        "waiting_requester",
        "waiting_third_party",
        "to_validate",
    },
}
LABELS = {
    "sem-atribuicao": "Sem atribuição",
    "meus": "Meus",
    "meus-grupos": "Meus grupos",
    "aguardando": "Aguardando",
    "validar": "Validar",
    "todos": "Todos",
}


@pytest.mark.parametrize("fila", QUEUE_MEMBERS)
def test_each_queue_holds_its_tickets_and_every_tab_counts_its_own(logged, board, fila):
    html = get(logged, fila=fila)
    expected = {board[name].number for name in QUEUE_MEMBERS[fila]}
    assert set(numbers(html)) == expected
    assert len(numbers(html)) == len(expected)
    for slug, label in LABELS.items():
        assert counter(html, label) == len(QUEUE_MEMBERS[slug]), slug
    assert re.search(rf'id="fila-{fila}"[^>]*\n?[^>]*aria-current="page"', html)
    assert html.count('aria-current="page"') == 1


def test_the_default_queue_is_unassigned_and_an_unknown_queue_falls_back_to_it(logged, board):
    assert numbers(get(logged)) == [board["unassigned"].number]
    assert numbers(get(logged, fila="<script>")) == [board["unassigned"].number]


def test_the_waiting_queue_says_whom_each_ticket_waits_on(logged, board):
    html = get(logged, fila="aguardando")
    assert "Aguardando · requerente" in html and "Aguardando · terceiros" in html
    assert html.count('class="portal-desk-row-waiting"') == 2


def test_an_empty_queue_says_so(logged, subject_a):
    html = get(logged)
    assert "Nenhum chamado nesta fila." in html
    assert "<table" not in html


# --- Filters -----------------------------------------------------------------------------


def test_filters_by_status_card_subject_group_and_agent(
    logged, agent, colleague, subject_a, group_a, group_b
):
    other_subject = SubjectFactory(service=subject_a.service, support_group=group_a)
    other_card = SubjectFactory(support_group=group_a)
    group_a.services.add(other_card.service)
    new = TicketFactory(subject=subject_a, status=Status.NEW)
    assigned = TicketFactory(subject=subject_a, status=Status.ASSIGNED, assigned_agent=agent)
    by_colleague = TicketFactory(
        subject=other_subject, status=Status.ASSIGNED, assigned_agent=colleague
    )
    on_other_card = TicketFactory(subject=other_card, assigned_group=group_b)

    assert numbers(get(logged, fila="todos", status="assigned")) == [
        by_colleague.number,
        assigned.number,
    ]
    assert set(numbers(get(logged, fila="todos", card=subject_a.service_id))) == {
        new.number,
        assigned.number,
        by_colleague.number,
    }
    assert numbers(get(logged, fila="todos", assunto=other_subject.pk)) == [by_colleague.number]
    assert numbers(get(logged, fila="todos", grupo=group_b.pk)) == [on_other_card.number]
    assert numbers(get(logged, fila="todos", tecnico=colleague.pk)) == [by_colleague.number]
    # Filters combine with each other and with the queue.
    assert numbers(get(logged, fila="meus", card=subject_a.service_id)) == [assigned.number]
    assert numbers(get(logged, fila="todos", status="new", tecnico=agent.pk)) == []


def test_filters_by_opening_date_in_both_formats_with_the_last_day_included(logged, subject_a):
    zone = timezone.get_current_timezone()
    opened = {}
    for day, hour in ((9, 12), (10, 0), (10, 23), (11, 0)):
        ticket = TicketFactory(subject=subject_a)
        when = datetime(2025, 3, day, hour, 30, tzinfo=zone)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
        opened[(day, hour)] = ticket.number
    html = get(logged, de="10/03/2025", ate="2025-03-10")
    assert set(numbers(html)) == {opened[(10, 0)], opened[(10, 23)]}
    assert set(numbers(get(logged, de="2025-03-10"))) == {
        opened[(10, 0)],
        opened[(10, 23)],
        opened[(11, 0)],
    }
    assert set(numbers(get(logged, ate="09/03/2025"))) == {opened[(9, 12)]}


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"status": "<script>"}, forms.STATUS_INVALID),
        ({"card": "abc"}, forms.CARD_INVALID),
        ({"card": "99999999999999999999999"}, forms.CARD_INVALID),
        ({"assunto": "-1"}, forms.SUBJECT_INVALID),
        ({"grupo": "1.5"}, forms.GROUP_INVALID),
        ({"de": "31/02/2025"}, forms.DATE_INVALID),
        ({"ate": "amanhã"}, forms.DATE_INVALID),
        ({"de": "11/03/2025", "ate": "10/03/2025"}, forms.DATES_REVERSED),
    ],
)
def test_a_bad_filter_is_reported_on_its_field_and_ignored(logged, board, params, error):
    html = get(logged, fila="todos", **params)
    assert field_errors(html) == [error]
    # The page still works: the other filters apply, the bad one does not.
    assert len(numbers(html)) == len(QUEUE_MEMBERS["todos"])


def test_the_agent_filter_offers_agents_and_supervisors_only(
    logged, agent, desk_supervisor, requester
):
    html = get(logged)
    select = html.split('name="tecnico"')[1].split("</select>")[0]
    assert agent.full_name in select and desk_supervisor.full_name in select
    assert requester.full_name not in select
    html = get(logged, tecnico=requester.pk)
    assert field_errors(html) == [forms.AGENT_INVALID]


def test_the_card_filter_offers_active_cards_only(logged, subject_a):
    inactive = ServiceFactory(title="Card aposentado", is_active=False)
    html = get(logged)
    select = html.split('name="card"')[1].split("</select>")[0]
    assert "Card A" in select and inactive.title not in select


def test_a_bad_filter_keeps_the_good_ones(logged, board):
    html = get(logged, fila="todos", status="waiting", card="abc")
    assert field_errors(html) == [forms.CARD_INVALID]
    assert set(numbers(html)) == {
        board["waiting_requester"].number,
        board["waiting_third_party"].number,
    }


def test_too_long_a_search_is_an_error_not_a_500(logged, board):
    html = get(logged, fila="todos", busca="x" * 101)
    assert len(field_errors(html)) == 1
    assert len(numbers(html)) == len(QUEUE_MEMBERS["todos"])


# --- Search ------------------------------------------------------------------------------


@pytest.fixture
def findable(subject_a):
    requester = UserFactory(full_name="Joaquim Barbosa Nunes", cpf="52998224725")
    return TicketFactory(
        subject=subject_a,
        requester=requester,
        answers=[{"label": "Descrição", "value": "Erro no empenho da dotação"}],
    )


@pytest.fixture
def noise(subject_a):
    return TicketFactory.create_batch(3, subject=subject_a)


@pytest.mark.parametrize(
    "busca",
    [
        "{number}",
        "#{number}",
        "# {number}",
        "52998224725",
        "529.982.247-25",
        "998224",
        "982.247",
        "Barbosa",
        "joaquim barbosa",
        "empenho",
    ],
)
def test_search_finds_by_number_cpf_name_and_answers(logged, findable, noise, busca):
    html = get(logged, busca=busca.format(number=findable.number))
    assert numbers(html) == [findable.number]


def test_search_finds_text_in_the_subject_and_in_entries_including_private_notes(
    logged, findable, noise, agent
):
    TimelineEntryFactory(ticket=noise[0], body_text="O relatório trava ao exportar planilha")
    TimelineEntryFactory(
        ticket=noise[1],
        kind=EntryKind.NOTE,
        actor=agent,
        is_private=True,
        body_text="Falar com DBA",
    )
    assert numbers(get(logged, busca="planilha")) == [noise[0].number]
    assert numbers(get(logged, busca="DBA")) == [noise[1].number]
    assert set(numbers(get(logged, busca="emenda"))) == {
        findable.number,
        *(ticket.number for ticket in noise),
    }


def test_short_digits_search_the_number_only(logged, findable, noise):
    # Five digits of the CPF: a number nobody has, not a CPF search.
    assert numbers(get(logged, busca="99822")) == []


def test_a_search_that_finds_nothing_says_so(logged, findable):
    html = get(logged, busca="inexistente")
    assert numbers(html) == []
    assert "Nenhum chamado nesta fila com a busca e os filtros escolhidos." in html


@pytest.mark.parametrize(
    "busca", ['"empenho da', "empenho -dotação", "empenho & | ! :*", "'); DROP TABLE x; --", "%_\\"]
)
def test_search_operators_and_stray_symbols_are_words_not_errors(logged, findable, busca):
    """The words go to PostgreSQL's websearch parser (and the stored answers document) as a
    parameter: quotes left open, operators and SQL-looking text are searched, never a 500."""
    response = logged.get(QUEUE, {"fila": "todos", "busca": busca})
    assert response.status_code == 200
    assert "Todos:" in response.content.decode()


# --- Visibility --------------------------------------------------------------------------


@pytest.fixture
def hidden(subject_b):
    """A ticket of a card only group B serves, with searchable text everywhere."""
    ticket = TicketFactory(
        subject=subject_b,
        requester=UserFactory(full_name="Hilda Escondida", cpf="11144477735"),
        answers=[{"label": "Descrição", "value": "segredo orçamentário"}],
    )
    TimelineEntryFactory(ticket=ticket, body_text="planilha secreta")
    return ticket


def test_an_agent_never_sees_tickets_of_cards_other_groups_serve(logged, subject_a, hidden):
    mine = TicketFactory(subject=subject_a)
    for fila in LABELS:
        html = get(logged, fila=fila)
        assert hidden.number not in numbers(html)
    html = get(logged, fila="todos")
    assert numbers(html) == [mine.number]
    assert counter(html, "Todos") == 1 and counter(html, "Sem atribuição") == 1
    for busca in (
        str(hidden.number),
        "11144477735",
        "111.444.777-35",
        "Hilda",
        "segredo",
        "secreta",
        "Crédito",
    ):
        assert numbers(get(logged, fila="todos", busca=busca)) == [], busca
    assert numbers(get(logged, fila="todos", card=hidden.service_id)) == []


def test_a_supervisor_sees_every_ticket(client, desk_supervisor, subject_a, hidden):
    mine = TicketFactory(subject=subject_a)
    client.force_login(desk_supervisor)
    html = get(client, fila="todos")
    assert set(numbers(html)) == {mine.number, hidden.number}
    assert counter(html, "Todos") == 2
    assert numbers(get(client, busca="Hilda")) == [hidden.number]


def test_a_requester_is_refused_with_a_message(client, requester):
    client.force_login(requester)
    response = client.get(QUEUE)
    assert response.status_code == 403
    assert DESK_ONLY in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "next=" in response["Location"]


# --- Sorting and pages -------------------------------------------------------------------


@pytest.fixture
def three(subject_a):
    """Three tickets whose opening, activity and status orders all differ."""
    now = timezone.now()
    rows = [
        # status, opened days ago, last activity days ago
        (Status.WAITING, 1, 3),
        (Status.NEW, 3, 2),
        (Status.TO_VALIDATE, 2, 1),
    ]
    tickets = []
    for status, opened, touched in rows:
        ticket = TicketFactory(subject=subject_a, status=status)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=now - timedelta(days=opened),
            last_interaction_at=now - timedelta(days=touched),
        )
        tickets.append(ticket.number)
    return tickets


@pytest.mark.parametrize(
    ("ordem", "expected"),
    [
        ("", [2, 1, 0]),
        ("-atualizado", [2, 1, 0]),
        ("atualizado", [0, 1, 2]),
        ("-aberto", [0, 2, 1]),
        ("aberto", [1, 2, 0]),
        ("numero", [0, 1, 2]),
        ("-numero", [2, 1, 0]),
        ("status", [1, 0, 2]),
        ("-status", [2, 0, 1]),
        ("bobagem", [2, 1, 0]),
    ],
)
def test_sorting(logged, three, ordem, expected):
    html = get(logged, fila="todos", ordem=ordem)
    assert numbers(html) == [three[index] for index in expected]


def test_same_time_tickets_sort_by_number_so_pages_never_overlap(logged, subject_a):
    tickets = TicketFactory.create_batch(3, subject=subject_a)
    Ticket.objects.update(last_interaction_at=timezone.now(), created_at=timezone.now())
    expected = sorted((ticket.number for ticket in tickets), reverse=True)
    assert numbers(get(logged)) == expected
    assert numbers(get(logged, ordem="aberto")) == expected


def test_column_headers_toggle_the_sort_and_keep_the_filters(logged, three):
    html = get(logged, fila="todos", status="new")
    # Sorted by last update, newest first: its header reverses it, the others sort by theirs.
    assert 'aria-sort="descending"' in html
    assert 'href="/mesa/?fila=todos&amp;ordem=atualizado&amp;status=new"' in html
    assert 'href="/mesa/?fila=todos&amp;ordem=-numero&amp;status=new"' in html
    html = get(logged, fila="todos", status="new", ordem="-numero")
    assert 'href="/mesa/?fila=todos&amp;ordem=numero&amp;status=new"' in html
    # The filter form carries the sort along.
    assert '<input type="hidden" name="ordem" value="-numero">' in html


def test_pagination_keeps_queue_filters_search_and_sort(logged, subject_a):
    TicketFactory.create_batch(
        27, subject=subject_a, answers=[{"label": "Descrição", "value": "empenho"}]
    )
    params = {"fila": "todos", "status": "new", "busca": "empenho", "ordem": "numero"}
    html = get(logged, **params)
    assert len(numbers(html)) == 25
    assert "Página 1 de 2" in html
    assert (
        'href="?fila=todos&amp;ordem=numero&amp;busca=empenho&amp;status=new&amp;pagina=2"' in html
    )
    html = get(logged, **params, pagina=2)
    assert len(numbers(html)) == 2
    assert get(logged, **params, pagina="abc").count(">nº ") == 25


# --- htmx --------------------------------------------------------------------------------


def test_htmx_gets_only_the_queue_region(logged, board):
    response = logged.get(QUEUE, {"fila": "meus"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html
    assert 'id="mesa-fila"' in html
    assert set(numbers(html)) == {board[name].number for name in QUEUE_MEMBERS["meus"]}
    assert "HX-Request" in response["Vary"]


def test_htmx_requests_for_another_target_get_the_whole_page(logged, board):
    html = logged.get(QUEUE, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in html and 'id="mesa-fila"' in html


def test_the_tabs_the_form_and_the_headers_swap_the_region_and_work_without_javascript(
    logged, board
):
    html = get(logged, fila="todos")
    form = html.split('<form id="fila-filtros"')[1].split(">")[0]
    assert 'method="get"' in form and 'action="/mesa/"' in form
    assert 'hx-get="/mesa/"' in form and 'hx-target="#mesa-fila"' in form
    assert 'hx-push-url="true"' in form
    tab = html.split('id="fila-meus"')[1].split(">")[0]
    assert 'href="/mesa/?fila=meus"' in tab and 'hx-get="/mesa/?fila=meus"' in tab
    assert 'hx-target="#mesa-fila"' in tab and 'hx-push-url="true"' in tab
    assert '<caption class="portal-visually-hidden">' in html and 'scope="col"' in html
    assert '<label for="id_busca">' in html and '<label for="id_de">' in html


# --- Query count -------------------------------------------------------------------------


def queue_bulk_tickets(count: int, *, subjects, requesters, agents) -> list[Ticket]:
    """`count` tickets in one INSERT, spread over subjects, requesters, agents and statuses,
    each with one entry (a second INSERT): quick enough for a thousand."""
    statuses = list(Status)
    tickets = Ticket.objects.bulk_create(
        Ticket(
            requester=requesters[index % len(requesters)],
            subject=(subject := subjects[index % len(subjects)]),
            service_id=subject.service_id,
            assigned_group_id=subject.support_group_id,
            # Every third ticket is nobody's: the default queue fills several pages.
            assigned_agent=None if index % 3 == 0 else agents[index % len(agents)],
            status=Status.NEW if index % 3 == 0 else statuses[index % len(statuses)],
            waiting_on=WaitingOn.REQUESTER if statuses[index % len(statuses)] == "waiting" else "",
            answers=[{"label": "Descrição", "value": f"Pedido {index} sobre empenho"}],
        )
        for index in range(count)
    )
    TimelineEntry.objects.bulk_create(
        TimelineEntry(ticket=ticket, kind=EntryKind.OPENED, actor_id=ticket.requester_id)
        for ticket in tickets
    )
    return tickets


@pytest.fixture
def thousand(agent, colleague, subject_a, group_a):
    subjects = [subject_a] + [
        SubjectFactory(service=subject_a.service, support_group=group_a) for _ in range(4)
    ]
    requesters = UserFactory.create_batch(30)
    queue_bulk_tickets(1000, subjects=subjects, requesters=requesters, agents=[agent, colleague])
    return subjects


# session, user, agent check, page of tickets, queue counts (the page of a whole queue reuses
# its tab's count), and the options of the card, subject, group and agent filters (a chosen
# option is checked against that list, not fetched again).
QUERIES = 9


def test_the_default_queue_runs_a_fixed_number_of_queries(
    logged, thousand, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        html = get(logged)
    assert len(numbers(html)) == 25
    assert counter(html, "Todos") == 1000


def test_a_filtered_searched_page_runs_a_fixed_number_of_queries(
    logged, thousand, colleague, django_assert_num_queries
):
    params = {
        "fila": "todos",
        "card": thousand[0].service_id,  # +1: the chosen card
        "tecnico": colleague.pk,  # +1: the chosen agent
        "status": "assigned",
        "de": timezone.localdate().strftime("%d/%m/%Y"),
        "busca": "empenho",
        "ordem": "status",
        "pagina": 2,
    }
    # +1: the count of the filtered, searched page; the chosen card and agent cost nothing.
    with django_assert_num_queries(QUERIES + 1):
        html = get(logged, **params)
    assert len(numbers(html)) == 25
    assert field_errors(html) == []


# --- Cached counts and options (servicedesk/core/readcache.py) ------------------------------

# session, user and the page of tickets: the agent check, the tab counts and the filters'
# options come from the cache until a ticket, the catalog or an account changes.
QUERIES_CACHED = 3


def test_a_second_load_reads_counts_and_options_from_the_cache(
    logged, thousand, django_assert_num_queries
):
    get(logged)
    with django_assert_num_queries(QUERIES_CACHED):
        html = get(logged)
    assert len(numbers(html)) == 25
    assert counter(html, "Todos") == 1000
    assert "Caio Colega</option>" in html


def test_counts_follow_an_assignment_at_once(logged, board, agent):
    from servicedesk.tickets.services.assignment import ticket_assign

    html = get(logged)
    assert (counter(html, "Sem atribuição"), counter(html, "Meus")) == (1, 3)
    ticket_assign(actor=agent, ticket=board["unassigned"], agent=agent)
    html = get(logged)
    assert (counter(html, "Sem atribuição"), counter(html, "Meus")) == (0, 4)
    assert numbers(html) == []


def test_joining_a_group_shows_its_tickets_at_once(logged, board, agent, subject_b, group_b):
    TicketFactory(subject=subject_b, status=Status.NEW)
    assert counter(get(logged), "Sem atribuição") == 1
    group_b.members.add(agent)
    html = get(logged)
    assert counter(html, "Sem atribuição") == 2
    group_b.members.remove(agent)
    assert counter(get(logged), "Sem atribuição") == 1


def test_filters_show_a_renamed_agent_and_a_new_card_at_once(logged, colleague, group_a):
    html = get(logged)
    assert "Caio Colega</option>" in html
    colleague.full_name = "Caio Colega Souza"
    colleague.save()
    assert "Caio Colega Souza</option>" in get(logged)
    ServiceFactory(title="Card novo")
    assert "Card novo</option>" in get(logged)


def test_each_query_keeps_its_own_filters_and_errors(logged, board, subject_a):
    card = str(subject_a.service_id)
    chosen = get(logged, card=card, de="99/99/2026")
    assert re.search(rf'<option value="{card}" selected>Card A</option>', chosen)
    assert field_errors(chosen) == [forms.DATE_INVALID]
    plain = get(logged)
    assert field_errors(plain) == []
    assert not re.search(r"<option value=\"\d+\" selected>Card A</option>", plain)
    filters = re.compile(r'<form id="fila-filtros".*?</form>', re.S)
    again = get(logged, card=card, de="99/99/2026")
    assert filters.search(again).group(0) == filters.search(chosen).group(0)


def test_a_login_does_not_empty_the_cache(logged, thousand, colleague, django_assert_num_queries):
    get(logged)
    colleague.last_login = timezone.now()
    colleague.save(update_fields=["last_login"])
    with django_assert_num_queries(QUERIES_CACHED):
        get(logged)


def test_a_row_still_names_an_agent_who_left_every_group(logged, board, colleague, group_a):
    group_a.members.remove(colleague)
    html = get(logged, fila="todos")
    assert '<td data-label="Técnico">Caio Colega</td>' in html
    assert "Caio Colega</option>" not in html  # no longer offered as a filter


def test_rows_show_the_names_of_the_card_subject_group_and_people(logged, board, subject_a):
    html = get(logged, fila="meus")
    number = board["mine"].number
    row = re.search(rf"<tr>\s*<th scope=\"row\"[^>]*><a [^>]+>nº {number}<.*?</tr>", html, re.S)
    cells = {"Card": "Card A", "Assunto": "Emenda parlamentar", "Grupo": "Grupo A"}
    cells["Técnico"] = "Ana Técnica"
    for label, name in cells.items():
        assert f'<td data-label="{label}">{name}</td>' in row.group(0), name
    assert board["mine"].requester.full_name in row.group(0)


def test_without_the_read_cache_every_load_counts(
    logged, thousand, settings, django_assert_num_queries
):
    settings.PORTAL_READ_CACHE = False
    get(logged)
    with django_assert_num_queries(QUERIES):
        get(logged)


def test_counts_stop_at_the_limit_and_pages_stop_with_them(logged, thousand, monkeypatch):
    from servicedesk.desk import selectors
    from servicedesk.desk.views import queue as queue_view

    monkeypatch.setattr(selectors, "COUNT_LIMIT", 100)
    monkeypatch.setattr(queue_view, "COUNT_LIMIT", 100)
    html = get(logged, fila="todos")
    assert "100+" in html
    assert "Todos: mais de 100 chamados." in html
    assert "Página 1 de 4" in html
    # A filtered page counts on its own, with the same limit.
    html = get(logged, fila="todos", busca="empenho", pagina=9)
    assert "mais de 100 chamados com a busca e os filtros escolhidos" in html
    assert "Página 4 de 4" in html


def test_the_filters_quick_select_renders_exactly_what_django_select_renders(board):
    from django import forms as django_forms

    ServiceFactory(title="Card <b>\"&\" 'x'</b>")
    from servicedesk.desk.selectors import desk_lookups

    form = forms.QueueFilterForm(
        {"status": "waiting", "card": "nope"}, options=desk_lookups().options
    )
    form.is_valid()
    selects = [
        name for name, field in form.fields.items() if isinstance(field.widget, forms.QuickSelect)
    ]
    assert selects == ["status", "card", "assunto", "grupo", "tecnico"]
    for name in selects:
        bound = form[name]
        quick = bound.as_widget()
        bound.field.widget = django_forms.Select(choices=bound.field.widget.choices)
        assert quick == bound.as_widget(), name
        assert "<option" in quick


def test_a_search_read_once_gives_the_same_page_and_the_capped_count(agent, thousand):
    from servicedesk.desk import selectors

    searched = selectors.desk_ticket_list(
        user=agent, queue="todos", text="empenho", ordering="status"
    )
    once, count = selectors.searched_once(searched)
    assert count == len(once) == selectors.capped_counts([searched])[0] > 0
    assert list(once[:25]) == list(searched[:25])
    assert list(once[25:50]) == list(searched[25:50])


def test_names_in_the_rows_are_shown_as_text_never_as_markup(logged, group_a, subject_a):
    """The rows are written in Python (desk/rendering.py): names typed by people and
    administrators must still come out escaped."""
    subject_a.name = 'Pedido <img src=x onerror="alert(1)">'
    subject_a.save()
    requester = UserFactory(full_name="<script>alert('x')</script> Ana & Cia")
    TicketFactory(subject=subject_a, requester=requester, status=Status.NEW)
    html = get(logged)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Ana &amp; Cia" in html
    assert "Pedido &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_a_word_in_more_than_a_thousand_tickets_shows_the_newest_of_them(
    logged, thousand, agent, colleague
):
    """Past COUNT_LIMIT matches the search keeps 1,001 of them: on PostgreSQL the newest
    tickets whose answers match (tickets migration 0008), so the ones people are working on
    are never the ones left out."""
    newest = queue_bulk_tickets(5, subjects=thousand, requesters=[agent], agents=[colleague])
    html = get(logged, fila="todos", busca="empenho", ordem="-numero")
    assert "mais de 1000 chamados com a busca e os filtros escolhidos" in html
    assert numbers(html)[:5] == sorted((ticket.number for ticket in newest), reverse=True)


def test_supervisors_see_unassigned_tickets_of_groups_nobody_is_in_marked(
    client, desk_supervisor, agent, subject_a
):
    """Issue 14: a ticket routed to a group without active members reaches nobody on the
    team; the supervisor's "Sem atribuição" tab (the desk's default) lists it, and the row
    says why nobody will pick it up."""
    empty = SupportGroupFactory(name="Infraestrutura e incidentes")
    empty.members.add(UserFactory(is_active=False))
    subject = SubjectFactory(service=ServiceFactory(title="Card Infra"), support_group=empty)
    empty.services.add(subject.service)
    orphan = TicketFactory(subject=subject)
    taken = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
    staffed = TicketFactory(subject=subject_a)
    client.force_login(desk_supervisor)

    html = get(client)  # the default tab: "Sem atribuição"

    assert set(numbers(html)) == {orphan.number, staffed.number}
    assert counter(html, "Sem atribuição") == 2
    rows = dict(zip(numbers(html), html.split(">nº ")[1:], strict=True))
    assert "sem técnicos ativos" in rows[orphan.number].split("</tr>")[0]
    assert "sem técnicos ativos" not in rows[staffed.number].split("</tr>")[0]
    everything = get(client, fila="todos")
    rows = dict(zip(numbers(everything), everything.split(">nº ")[1:], strict=True))
    assert "sem técnicos ativos" not in rows[taken.number].split("</tr>")[0]  # someone has it
