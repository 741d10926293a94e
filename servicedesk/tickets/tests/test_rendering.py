"""The cached ticket and timeline (tickets/selectors.py, tickets/rendering.py): read from the
cache until the ticket changes, never shared between viewers who see different things."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.tickets.models import EntryKind
from servicedesk.tickets.services.solutions import solution_propose
from servicedesk.tickets.services.timeline import note_add, ticket_reply
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db

NOTE = "Anotação interna: conferir com o órgão."


@pytest.fixture
def team(db):
    group = SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    group.services.add(subject.service)
    agent = UserFactory(full_name="Tiago Técnico")
    group.members.add(agent)
    return subject, agent


@pytest.fixture
def ticket(team, requester):
    subject, agent = team
    ticket = TicketFactory(
        requester=requester, subject=subject, status=Status.ASSIGNED, assigned_agent=agent
    )
    for index in range(10):
        TimelineEntryFactory(ticket=ticket, actor=agent, body_html=f"<p>Mensagem {index}</p>")
    return ticket


def portal(ticket):
    return reverse("tickets:detail", args=[ticket.number])


def desk(ticket):
    return reverse("desk:ticket", args=[ticket.number])


def timeline(html: str) -> str:
    return re.search(r'<ol class="portal-timeline">.*?</ol>', html, re.S).group(0)


def view(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_reads_the_timeline_from_the_cache(
    client, requester, ticket, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(requester)
    with django_assert_max_num_queries(20) as first:
        html = view(client, portal(ticket))
    # The ticket, its entries and their files are not read again, nor is the agent check
    # (menu): the session and the user are all that is left.
    with django_assert_num_queries(len(first.captured_queries) - 4):
        again = view(client, portal(ticket))
    assert timeline(again) == timeline(html)
    assert "Mensagem 9" in again


def test_a_reply_and_a_status_change_show_at_once(client, requester, ticket, team):
    _, agent = team
    client.force_login(requester)
    view(client, portal(ticket))
    ticket_reply(actor=requester, ticket=ticket, body="<p>Segue o print.</p>", body_format="html")
    html = view(client, portal(ticket))
    assert "Segue o print." in html
    solution_propose(actor=agent, ticket=ticket, body="Ajustado.", body_format="text")
    html = view(client, portal(ticket))
    assert "Solução proposta: aguardando validação" in html


def test_private_notes_never_reach_the_requester_through_the_cache(client, requester, ticket, team):
    _, agent = team
    note_add(actor=agent, ticket=ticket, body=NOTE, body_format="text")
    colleague = Client()
    colleague.force_login(agent)
    # The team reads the ticket first, on the desk and on the portal's page.
    assert NOTE in view(colleague, desk(ticket))
    assert NOTE in view(colleague, portal(ticket))
    client.force_login(requester)
    html = view(client, portal(ticket))
    assert "Mensagem 9" in html
    assert NOTE not in html


def test_the_desk_and_the_portal_keep_their_own_wording(client, requester, ticket, team):
    _, agent = team
    TimelineEntryFactory(
        ticket=ticket,
        actor=agent,
        kind=EntryKind.MESSAGE,
        body_html="<p>Pode enviar o print?</p>",
        payload={"event": "request_info"},
    )
    ticket.status, ticket.waiting_on = Status.WAITING, "requester"
    ticket.save()
    colleague = Client()
    colleague.force_login(agent)
    assert "o chamado aguarda a sua resposta" not in view(colleague, desk(ticket))
    client.force_login(requester)
    assert "o chamado aguarda a sua resposta" in view(client, portal(ticket))


def test_a_renamed_author_shows_with_the_new_name(client, requester, ticket, team):
    _, agent = team
    client.force_login(requester)
    assert "Tiago Técnico" in timeline(view(client, portal(ticket)))
    agent.full_name = "Tiago Técnico Souza"
    agent.save()
    assert "Tiago Técnico Souza" in timeline(view(client, portal(ticket)))


APPROVE_TOKEN = re.compile(
    r'action="/chamados/\d+/aprovar/".*?name="csrfmiddlewaretoken" value="([^"]+)"', re.S
)


def test_the_decision_forms_are_never_served_from_the_cache(requester, ticket, team):
    """They carry a CSRF token of the user's session, which a new login replaces."""
    _, agent = team
    solution_propose(actor=agent, ticket=ticket, body="Ajustado.", body_format="text")
    client = Client(enforce_csrf_checks=True)
    client.force_login(requester)
    assert APPROVE_TOKEN.search(view(client, portal(ticket)))
    client.logout()
    client.force_login(requester)
    token = APPROVE_TOKEN.search(view(client, portal(ticket))).group(1)
    response = client.post(
        reverse("tickets:approve", args=[ticket.number]),
        {"csrfmiddlewaretoken": token, "body": "", "body_format": "text"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_a_cached_ticket_is_still_hidden_from_everyone_else(client, requester, ticket, team):
    """Who may see a ticket is decided on each request, also when the ticket came from the
    cache: another requester and an agent of another group get the same 404 as for a
    number that does not exist."""
    client.force_login(requester)
    view(client, portal(ticket))  # now in the cache
    for outsider in (UserFactory(), UserFactory()):
        client.force_login(outsider)
        assert client.get(portal(ticket)).status_code == 404
    other_group = SupportGroupFactory()
    stranger = UserFactory()
    other_group.members.add(stranger)
    client.force_login(stranger)
    assert client.get(desk(ticket)).status_code == 404
    assert client.get(portal(ticket)).status_code == 404


def test_an_agent_who_leaves_the_group_loses_the_ticket_at_once(client, ticket, team):
    subject, _ = team
    colleague = UserFactory()
    subject.support_group.members.add(colleague)
    SupportGroupFactory().members.add(colleague)  # still an agent, of another group
    client.force_login(colleague)
    assert "Mensagem 9" in view(client, desk(ticket))
    subject.support_group.members.remove(colleague)
    assert client.get(desk(ticket)).status_code == 404


def test_a_reassigned_ticket_shows_its_new_agent_at_once(client, requester, ticket, team):
    subject, _ = team
    client.force_login(requester)
    assert "Tiago Técnico" in view(client, portal(ticket))
    other = UserFactory(full_name="Rita Revisora")
    subject.support_group.members.add(other)
    ticket.assigned_agent = other
    ticket.save()
    assert "Rita Revisora" in view(client, portal(ticket))


def test_a_number_that_does_not_exist_is_not_kept_in_the_cache(client, requester):
    """A ticket opened after someone tried its number shows at once (a miss is not cached,
    so probing numbers fills no cache either)."""
    client.force_login(requester)
    missing = reverse("tickets:detail", args=[999_999])
    assert client.get(missing).status_code == 404
    TicketFactory(number=999_999, requester=requester)
    assert client.get(missing).status_code == 200
