"""The lists' cells carry their column's label (issue 14): on a phone each row becomes a
card, and each value is shown beside its label (portal.css, below 576 px)."""

import re

import pytest
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def headers_and_labels(html: str) -> tuple[list[str], list[list[str]]]:
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    headers = [
        re.sub(r"<[^>]+>|\s+", " ", th).strip()
        for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    ]
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return headers, [re.findall(r'<t[dh][^>]* data-label="([^"]*)"', row) for row in rows]


@pytest.fixture
def ticket(requester):
    group = SupportGroupFactory()
    subject = SubjectFactory(support_group=group)
    group.services.add(subject.service)
    agent = UserFactory()
    group.members.add(agent)
    ticket = TicketFactory(requester=requester, subject=subject, status=Status.WAITING)
    return ticket, agent


def test_each_cell_of_the_desk_queue_is_labelled_with_its_column(client, ticket):
    client.force_login(ticket[1])
    headers, rows = headers_and_labels(
        client.get(reverse("desk:queue"), {"fila": "todos"}).content.decode()
    )
    assert rows and all(labels == headers for labels in rows), (headers, rows)


def test_each_cell_of_my_tickets_is_labelled_with_its_column(client, requester, ticket):
    client.force_login(requester)
    headers, rows = headers_and_labels(client.get(reverse("tickets:list")).content.decode())
    assert rows and all(labels == headers for labels in rows), (headers, rows)
