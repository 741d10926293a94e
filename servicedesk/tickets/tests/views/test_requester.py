import pytest
from django.urls import reverse

from servicedesk.catalog.tests.factories import SubjectFactory
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory
from servicedesk.tickets.tests.pages import counter

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")


def numbers(html: str) -> list[int]:
    return [int(part.split("<")[0]) for part in html.split(">nº ")[1:]]


def test_my_tickets_lists_only_mine_newest_activity_first(client, requester):
    old = TicketFactory(requester=requester)
    new = TicketFactory(requester=requester)
    TicketFactory()  # someone else's
    old.last_interaction_at = new.last_interaction_at.replace(year=2025)
    TicketFactory._meta.model.objects.filter(pk=old.pk).update(
        last_interaction_at=old.last_interaction_at
    )
    client.force_login(requester)
    html = client.get(LIST).content.decode()
    assert numbers(html) == [new.number, old.number]
    assert counter(html, "Todos") == 2


def test_a_counter_filters_the_list(client, requester):
    waiting = TicketFactory(requester=requester, status=Status.WAITING)
    TicketFactory(requester=requester, status=Status.NEW)
    client.force_login(requester)
    html = client.get(LIST, {"status": "waiting"}).content.decode()
    assert numbers(html) == [waiting.number]
    assert 'class="portal-counter is-current portal-status-waiting"' in html


def test_an_unknown_status_shows_everything(client, requester):
    TicketFactory.create_batch(2, requester=requester)
    client.force_login(requester)
    response = client.get(LIST, {"status": "<script>"})
    assert response.status_code == 200
    assert len(numbers(response.content.decode())) == 2


def test_pagination_keeps_the_filter(client, requester, django_assert_num_queries):
    subject = SubjectFactory()
    TicketFactory.create_batch(45, requester=requester, subject=subject, status=Status.NEW)
    client.force_login(requester)
    # session, user, page of tickets, counters (which also count the pages), the catalog's
    # names, agent check (menu); the last three are cached for the next pages
    with django_assert_num_queries(6):
        html = client.get(LIST, {"status": "new", "pagina": 2}).content.decode()
    assert len(numbers(html)) == 20
    assert "Página 2 de 3" in html
    assert 'href="?status=new&amp;pagina=3"' in html
    assert client.get(LIST, {"pagina": "abc"}).status_code == 200


def test_ticket_page_shows_the_request_to_its_requester_only(client, requester):
    ticket = TicketFactory(
        requester=requester, answers=[{"label": "Descreva", "value": "Erro ao salvar"}]
    )
    client.force_login(requester)
    html = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert f"Chamado nº {ticket.number}" in html and "Erro ao salvar" in html and "Novo" in html
    other = TicketFactory()
    assert client.get(reverse("tickets:detail", args=[other.number])).status_code == 404
    assert client.get(reverse("tickets:detail", args=[999999])).status_code == 404


def test_the_list_names_a_renamed_card_at_once(client, requester):
    ticket = TicketFactory(requester=requester, subject=SubjectFactory(service__title="Emendas"))
    client.force_login(requester)
    assert '<td data-label="Card">Emendas</td>' in client.get(LIST).content.decode()
    ticket.service.title = "Emendas parlamentares"
    ticket.service.save()
    assert '<td data-label="Card">Emendas parlamentares</td>' in client.get(LIST).content.decode()


def test_the_list_is_read_once_until_one_of_my_tickets_changes(
    client, requester, django_assert_num_queries
):
    subject = SubjectFactory()
    mine = TicketFactory.create_batch(3, requester=requester, subject=subject)
    someone_elses = TicketFactory(subject=subject)
    client.force_login(requester)
    client.get(LIST)
    someone_elses.status = Status.ASSIGNED
    someone_elses.save()
    with django_assert_num_queries(2):  # session, user: the rows come from the cache
        html = client.get(LIST).content.decode()
    assert sorted(numbers(html)) == sorted(ticket.number for ticket in mine)
    mine[0].status = Status.RESOLVED
    mine[0].save()
    html = client.get(LIST).content.decode()
    badge = '<span class="br-tag portal-status portal-status-resolved">'
    assert f'nº {mine[0].number}</a></td><td data-label="Status">{badge}' in html


def test_names_in_my_list_are_shown_as_text_never_as_markup(client, requester):
    subject = SubjectFactory(name="Emenda <script>alert(1)</script> & ajuste")
    TicketFactory(requester=requester, subject=subject, status=Status.WAITING)
    client.force_login(requester)
    html = client.get(LIST).content.decode()
    assert "<script>alert(1)" not in html
    assert "Emenda &lt;script&gt;alert(1)&lt;/script&gt; &amp; ajuste" in html
    assert '<span class="br-tag portal-status portal-status-waiting">' in html
