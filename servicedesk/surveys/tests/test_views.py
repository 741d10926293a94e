import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk.surveys.models import Survey
from servicedesk.tickets.models import EntryKind, Solution
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(requester, agent):
    ticket = TicketFactory(requester=requester, status=Status.TO_VALIDATE, assigned_agent=agent)
    entry = TimelineEntryFactory(ticket=ticket, kind=EntryKind.SOLUTION, actor=agent)
    Solution.objects.create(ticket=ticket, entry=entry, author=agent)
    return ticket


def test_approving_then_rating_four_stars_with_a_comment(client, requester, pending):
    client.force_login(requester)
    approved = client.post(
        reverse("tickets:approve", args=[pending.number]),
        {"body": ""},
        headers={"HX-Request": "true"},
    )
    html = approved.content.decode()
    assert "Como foi o atendimento?" in html
    # An accessible radio group: each star says what it means.
    assert re.search(r'<input type="radio" name="stars" value="4"[^>]*>', html)
    assert "4 — Satisfeito" in html and "1 — Muito insatisfeito" in html
    response = client.post(
        reverse("surveys:submit", args=[pending.number]),
        {"stars": "4", "comment": "Atendimento rápido."},
    )
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert (survey.stars, survey.comment) == (4, "Atendimento rápido.")
    page = client.get(reverse("tickets:detail", args=[pending.number])).content.decode()
    assert "Obrigado pela avaliação!" in page
    assert "Alterar avaliação" in page  # still within the 12 hours


def test_bad_stars_are_a_message_on_the_form(client, requester):
    ticket = TicketFactory(requester=requester, status=Status.RESOLVED, resolved_at=timezone.now())
    client.force_login(requester)
    response = client.post(reverse("surveys:submit", args=[ticket.number]), {"stars": "9"})
    assert response.status_code == 400
    assert "Escolha de 1 a 5 estrelas." in response.content.decode()
    assert not Survey.objects.exists()


def test_the_survey_is_offered_for_auto_approved_tickets_too(client, requester):
    ticket = TicketFactory(requester=requester, status=Status.RESOLVED, resolved_at=timezone.now())
    client.force_login(requester)
    assert "Como foi o atendimento?" in client.get(ticket.get_absolute_url()).content.decode()


def test_after_the_edit_window_the_rating_is_read_only(client, requester):
    ticket = TicketFactory(requester=requester, status=Status.RESOLVED, resolved_at=timezone.now())
    Survey.objects.create(
        ticket=ticket,
        requester=requester,
        stars=5,
        answered_at=timezone.now() - timedelta(hours=13),
    )
    client.force_login(requester)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Você avaliou com <strong>5 estrelas (Muito satisfeito)</strong>" in html
    assert 'name="stars"' not in html


def test_someone_else_cannot_rate(client, requester):
    ticket = TicketFactory(requester=requester, status=Status.RESOLVED, resolved_at=timezone.now())
    client.force_login(TicketFactory().requester)
    assert (
        client.post(reverse("surveys:submit", args=[ticket.number]), {"stars": "1"}).status_code
        == 404
    )
