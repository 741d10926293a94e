"""A ticket that lands in a group without active members reaches nobody on the team: the
active supervisors are e-mailed instead (issue 14, item 5)."""

import pytest

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SubjectFactory, SupportGroupFactory
from servicedesk.outbox.models import Event
from servicedesk.outbox.services import deliver
from servicedesk.tickets import notifications as topics
from servicedesk.tickets.services.assignment import ticket_assign
from servicedesk.tickets.services.tickets import ticket_open
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import TicketFactory

from .conftest import by_recipient, html_of

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"
ANSWERS = [{"label": "Descrição", "value": "O servidor de arquivos caiu.", "type": "long_text"}]


@pytest.fixture
def supervisors():
    return [
        UserFactory(full_name="Sara Supervisora Lima", is_supervisor=True),
        UserFactory(full_name="Saulo Supervisor Reis", is_supervisor=True),
    ]


@pytest.fixture
def empty_group():
    """A group whose only member was deactivated: nobody active receives its tickets."""
    group = SupportGroupFactory(name="Infraestrutura e incidentes")
    group.members.add(UserFactory(full_name="Ivo Inativo Ramos", is_active=False))
    return group


def test_opening_a_ticket_in_a_group_without_active_members_tells_the_supervisors(
    committed, mailoutbox, requester, supervisors, empty_group
):
    UserFactory(full_name="Sílvio Supervisor Inativo", is_supervisor=True, is_active=False)
    subject = SubjectFactory(support_group=empty_group, name="Servidor fora do ar")
    with committed():
        ticket = ticket_open(actor=requester, subject=subject, answers=ANSWERS, files=[])
    sent = by_recipient(mailoutbox)
    assert set(sent) == {requester.email, *(supervisor.email for supervisor in supervisors)}
    message = sent[supervisors[0].email]
    assert message.subject == (
        f"[Chamado #{ticket.number}] Chamado sem técnico: o grupo Infraestrutura e incidentes "
        "não tem técnicos ativos"
    )
    link = f"{BASE}/mesa/chamados/{ticket.number}/"
    assert link in message.body and f'href="{link}"' in html_of(message)
    assert "ninguém da equipe foi avisado" in message.body
    assert "chegou ao grupo Infraestrutura e incidentes" in message.body
    assert "O servidor de arquivos caiu." in message.body
    assert requester.cpf not in message.body


def test_a_group_with_an_active_member_is_told_and_the_supervisors_are_not(
    committed, mailoutbox, requester, supervisors, empty_group
):
    member = UserFactory()
    empty_group.members.add(member)
    subject = SubjectFactory(support_group=empty_group)
    with committed():
        ticket_open(actor=requester, subject=subject, answers=ANSWERS, files=[])
    assert set(by_recipient(mailoutbox)) == {requester.email, member.email}


def test_assigning_to_a_group_without_active_members_tells_the_other_supervisors(
    committed, mailoutbox, agent, supervisors, empty_group
):
    group = agent.support_groups.get()
    ticket = TicketFactory(subject__support_group=group, status=Status.ASSIGNED)
    with committed():
        ticket_assign(actor=supervisors[0], ticket=ticket, group=empty_group)
    (message,) = mailoutbox
    assert message.to == [supervisors[1].email]  # never the author of the change
    assert "foi encaminhado ao grupo Infraestrutura e incidentes, sem técnico" in message.body


def test_assigning_to_an_agent_of_an_empty_group_tells_nobody_more(
    committed, mailoutbox, agent, supervisors, empty_group
):
    ticket = TicketFactory(subject__support_group=agent.support_groups.get())
    with committed():
        ticket_assign(actor=supervisors[0], ticket=ticket, agent=agent, group=empty_group)
    assert mailoutbox == []


def test_someone_who_joins_or_takes_the_ticket_before_delivery_spares_the_e_mail(
    mailoutbox, requester, supervisors, empty_group, agent
):
    subject = SubjectFactory(support_group=empty_group)
    # Not committed: the outbox holds the events until they are delivered below.
    first = ticket_open(actor=requester, subject=subject, answers=ANSWERS, files=[])
    second = ticket_open(actor=requester, subject=subject, answers=ANSWERS, files=[])
    unattended = Event.objects.filter(topic=topics.TICKET_UNATTENDED)
    first_event = unattended.get(data__ticket_id=first.pk)
    second_event = unattended.get(data__ticket_id=second.pk)
    empty_group.members.add(agent)
    run = deliver(first_event.pk)
    assert (run.sent, run.skipped) == (0, 2)
    empty_group.members.remove(agent)
    run = deliver(second_event.pk)
    assert (run.sent, run.skipped) == (2, 0)
    assert {message.to[0] for message in mailoutbox} == {s.email for s in supervisors}
