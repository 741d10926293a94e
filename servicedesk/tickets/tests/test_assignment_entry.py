"""The assignment entry of the timeline says only what changed (issue 14): "Atribuído a X"
when an agent takes a ticket of their group, not "X (Grupo) (antes: Grupo)"; entries written
before the names were stored apart read the same way."""

import re

import pytest
from django.template.loader import render_to_string

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.tickets.models import EntryKind
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.tests.factories import TicketFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db


def shown(entry) -> str:
    """The entry's line as a person reads it, up to "por <actor>"."""
    html = render_to_string("tickets/partials/entries/_assignment.html", {"entry": entry})
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return text.split(" por ")[0].replace(" ,", ",")


@pytest.fixture
def groups():
    siop = SupportGroupFactory(name="Atendimento SIOP")
    infra = SupportGroupFactory(name="Infraestrutura")
    return siop, infra


@pytest.fixture
def people(groups):
    siop, infra = groups
    ana, bruno = UserFactory(full_name="Ana Lima"), UserFactory(full_name="Bruno Reis")
    siop.members.add(ana, bruno)
    infra.members.add(ana, bruno)
    return ana, bruno


@pytest.fixture
def ticket(groups):
    return TicketFactory(subject=SubjectFactory(support_group=groups[0]))


def test_taking_a_ticket_of_ones_group_names_the_agent_only(ticket, people):
    ana, _ = people
    entry = ticket_assign(actor=ana, ticket=ticket, agent=ana)
    assert shown(entry) == "Atribuído a Ana Lima"


def test_each_change_says_what_it_was_before(ticket, people, groups):
    ana, bruno = people
    _, infra = groups
    ticket_assign(actor=ana, ticket=ticket, agent=ana)
    to_bruno = ticket_assign(actor=ana, ticket=ticket, agent=bruno)
    assert shown(to_bruno) == "Atribuído a Bruno Reis (antes: Ana Lima)"
    to_infra = ticket_assign(actor=ana, ticket=ticket, agent=bruno, group=infra)
    assert shown(to_infra) == "Atribuído ao grupo Infraestrutura (antes: Atendimento SIOP)"
    both = ticket_assign(actor=ana, ticket=ticket, agent=ana, group=groups[0])
    assert shown(both) == (
        "Atribuído a Ana Lima (antes: Bruno Reis) · grupo Atendimento SIOP (antes: Infraestrutura)"
    )


def test_a_first_assignment_without_a_group_names_both(people, groups):
    ana, _ = people
    ticket = TicketFactory(subject=SubjectFactory(support_group=groups[0]), assigned_group=None)
    groups[0].services.add(ticket.service)  # Ana sees the card's tickets through her group
    entry = ticket_assign(actor=ana, ticket=ticket, agent=ana, group=groups[1])
    assert shown(entry) == "Atribuído a Ana Lima · grupo Infraestrutura"


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (
            {"from_label": "Atendimento SIOP", "to_label": "Ana Lima (Atendimento SIOP)"},
            "Atribuído a Ana Lima",
        ),
        (
            {
                "from_label": "Ana Lima (Atendimento SIOP)",
                "to_label": "Bruno Reis (Atendimento SIOP)",
            },
            "Atribuído a Bruno Reis (antes: Ana Lima)",
        ),
        (
            {"from_label": "Ana Lima (Atendimento SIOP)", "to_label": "Ana Lima (Infraestrutura)"},
            "Atribuído ao grupo Infraestrutura (antes: Atendimento SIOP)",
        ),
        (
            {"from_label": "", "to_label": "Ana Lima (Atendimento SIOP)"},
            "Atribuído a Ana Lima · grupo Atendimento SIOP",
        ),
        # A single name may be an agent or a group: shown as it was written.
        (
            {"from_label": "Ana Lima", "to_label": "Bruno Reis"},
            "Atribuído a Bruno Reis (antes: Ana Lima)",
        ),
        ({"from_label": "", "to_label": "Infraestrutura"}, "Atribuído a Infraestrutura"),
    ],
)
def test_entries_written_with_labels_only_read_the_same_way(ticket, people, payload, text):
    entry = TimelineEntryFactory(
        ticket=ticket, kind=EntryKind.ASSIGNMENT, actor=people[0], payload=payload, body_html=""
    )
    assert shown(entry) == text
