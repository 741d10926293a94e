"""Each event e-mails exactly the people it should (Django's locmem back-end), with the
ticket number in the subject, both parts, the link, masked CPFs and no private note."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.notifications import events
from servicedesk.outbox.models import Delivery, DeliveryStatus
from servicedesk.outbox.services import record, sweep
from servicedesk.tickets import notifications as topics
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.automation import automatic_transitions_run
from servicedesk.tickets.services.solutions import (
    solution_approve,
    solution_propose,
    solution_refuse,
    ticket_reopen,
)
from servicedesk.tickets.services.tickets import ticket_open
from servicedesk.tickets.services.timeline import (
    information_request,
    note_add,
    third_party_wait,
    ticket_reply,
)
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import upload
from servicedesk.tickets.uploads import check_uploads

from .conftest import CPF_IN_TEXT, CPF_MASKED, by_recipient, everything, html_of

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"
SECRET_NOTE = "Nota interna: o requerente já abriu três chamados iguais."


def portal_link(ticket):
    return f"{BASE}/chamados/{ticket.number}/"


def desk_link(ticket):
    return f"{BASE}/mesa/chamados/{ticket.number}/"


def assert_well_formed(message, *, number, subject, link):
    assert message.subject == f"[Chamado #{number}] {subject}"
    html = html_of(message)
    assert link in message.body and f'href="{link}' in html
    assert "Secretaria de Orçamento Federal" in html  # the header bar
    assert "<html" not in message.body and "&lt;" not in message.body
    assert message.extra_headers["Message-ID"].startswith("<")
    assert CPF_IN_TEXT not in everything(message)


def reply(ticket, actor, body="Segue o passo a passo.", files=()):
    return ticket_reply(
        actor=actor, ticket=ticket, body=body, body_format="text", files=check_uploads(files)
    )


def pending_solution(ticket, agent, committed, mailoutbox):
    with committed():
        solution_propose(actor=agent, ticket=ticket, body="Limpe o cache.", body_format="text")
    mailoutbox.clear()


# --- Opening ----------------------------------------------------------------------------------


def test_opening_confirms_to_the_requester_and_tells_the_groups_active_agents(
    committed, mailoutbox, requester, team, ticket
):
    subject = ticket.subject
    answers = ticket.answers
    with committed():
        opened = ticket_open(
            actor=requester,
            subject=subject,
            answers=answers,
            files=check_uploads([upload("print-da-tela.pdf")]),
        )
    sent = by_recipient(mailoutbox)
    assert set(sent) == {requester.email, team.agent.email, team.colleague.email}

    mine = sent[requester.email]
    assert_well_formed(
        mine,
        number=opened.number,
        subject="Chamado aberto: Erro ao salvar emenda",
        link=portal_link(opened),
    )
    assert f"Recebemos o seu chamado nº {opened.number}" in mine.body
    assert f"CPF do servidor: {CPF_MASKED}" in mine.body
    assert "A tela trava ao salvar." in mine.body and "A tela trava ao salvar." in html_of(mine)
    # The file by name only: never its content, never as an attachment.
    assert "print-da-tela.pdf" in mine.body and "%PDF" not in everything(mine)
    assert mine.attachments == []

    theirs = sent[team.agent.email]
    assert_well_formed(
        theirs,
        number=opened.number,
        subject="Novo chamado: Erro ao salvar emenda",
        link=desk_link(opened),
    )
    assert f"(CPF ***.{requester.cpf[3:6]}.{requester.cpf[6:9]}-**)" in theirs.body
    assert requester.cpf not in everything(theirs)


def test_an_agent_opening_a_ticket_for_their_own_group_is_not_told_as_an_agent(
    committed, mailoutbox, team, ticket
):
    with committed():
        ticket_open(actor=team.colleague, subject=ticket.subject, answers=[], files=[])
    sent = by_recipient(mailoutbox)
    assert set(sent) == {team.colleague.email, team.agent.email}
    assert sent[team.colleague.email].subject.endswith("Chamado aberto: Erro ao salvar emenda")


# --- Messages ---------------------------------------------------------------------------------


def test_an_agents_reply_goes_to_the_requester_only_quoted_with_file_names(
    committed, mailoutbox, requester, team, ticket
):
    with committed():
        entry = reply(
            ticket,
            team.agent,
            body=f"Confirme o CPF {CPF_IN_TEXT} e o anexo.\nObrigado.",
            files=[upload("manual.pdf")],
        )
    (message,) = mailoutbox
    assert message.to == [requester.email]
    assert_well_formed(
        message,
        number=ticket.number,
        subject="Nova resposta da equipe de atendimento",
        link=f"{portal_link(ticket)}#registro-{entry.pk}",
    )
    assert f"> Confirme o CPF {CPF_MASKED} e o anexo.\n> Obrigado." in message.body
    assert "Obrigado." in html_of(message) and "<blockquote" in html_of(message)
    assert "manual.pdf" in message.body and "%PDF" not in everything(message)
    assert "Tiago Técnico Oliveira" in message.body


def test_a_private_note_e_mails_nobody_and_never_leaks_into_later_e_mails(
    committed, mailoutbox, team, ticket
):
    with committed():
        note_add(actor=team.agent, ticket=ticket, body=SECRET_NOTE, body_format="text")
    assert mailoutbox == []
    with committed():
        reply(ticket, team.agent)
        solution_propose(actor=team.agent, ticket=ticket, body="Resolvido.", body_format="text")
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert "três chamados" not in everything(message)


def test_a_private_entry_is_refused_even_if_someone_asked(committed, mailoutbox, team, ticket):
    note = note_add(actor=team.agent, ticket=ticket, body=SECRET_NOTE, body_format="text")
    with committed():
        record(
            topics.AGENT_REPLIED,
            recipients=[ticket.requester_id],
            ticket_id=ticket.pk,
            entry_id=note.pk,
        )
    assert mailoutbox == []
    delivery = Delivery.objects.get(event__topic=topics.AGENT_REPLIED)
    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.last_error == f"entry {note.pk} is private"


def test_a_requesters_message_goes_to_the_assigned_agent_only(
    committed, mailoutbox, requester, team, ticket
):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.ASSIGNED, assigned_agent=team.agent)
    with committed():
        entry = reply(ticket, requester, body="Ainda trava.")
    (message,) = mailoutbox
    assert message.to == [team.agent.email]
    assert_well_formed(
        message,
        number=ticket.number,
        subject="Nova mensagem do requerente",
        link=f"{desk_link(ticket)}#registro-{entry.pk}",
    )
    assert "> Ainda trava." in message.body and "escreveu no chamado" in message.body


def test_without_an_agent_the_requesters_message_goes_to_the_groups_active_members(
    committed, mailoutbox, requester, team, ticket
):
    with committed():
        reply(ticket, requester, body="Alguma novidade?")
    assert set(by_recipient(mailoutbox)) == {team.agent.email, team.colleague.email}


def test_an_inactive_assigned_agent_is_replaced_by_the_group(
    committed, mailoutbox, requester, team, ticket
):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.ASSIGNED, assigned_agent=team.former)
    with committed():
        reply(ticket, requester)
    assert set(by_recipient(mailoutbox)) == {team.agent.email, team.colleague.email}


def test_information_request_tells_the_requester_what_is_asked(
    committed, mailoutbox, requester, team, ticket
):
    with committed():
        entry = information_request(
            actor=team.agent,
            ticket=ticket,
            body="Envie o número da emenda.",
            body_format="text",
        )
    (message,) = mailoutbox
    assert message.to == [requester.email]
    assert_well_formed(
        message,
        number=ticket.number,
        subject="Precisamos de informações para continuar",
        link=f"{portal_link(ticket)}#registro-{entry.pk}",
    )
    assert "> Envie o número da emenda." in message.body
    assert "Sem resposta em 10 dias" in message.body

    mailoutbox.clear()
    with committed():
        reply(ticket, requester, body="Emenda 123.")
    (answer,) = mailoutbox
    assert answer.to == [team.agent.email]  # the agent who asked became the assignee
    assert "respondeu ao pedido de informação" in answer.body


def test_waiting_on_a_third_party_e_mails_nobody(committed, mailoutbox, team, ticket):
    with committed():
        third_party_wait(actor=team.agent, ticket=ticket, reason="Aguardando o SERPRO.")
    assert mailoutbox == []


# --- Solutions --------------------------------------------------------------------------------


def test_a_proposed_solution_asks_the_requester_to_approve_or_refuse_within_ten_days(
    committed, mailoutbox, requester, team, ticket
):
    with committed():
        solution = solution_propose(
            actor=team.agent, ticket=ticket, body="Limpe o cache do navegador.", body_format="text"
        )
    (message,) = mailoutbox
    assert message.to == [requester.email]
    assert_well_formed(
        message,
        number=ticket.number,
        subject="Solução proposta: aprove ou recuse",
        link=f"{portal_link(ticket)}#registro-{solution.entry_id}",
    )
    assert "> Limpe o cache do navegador." in message.body
    assert "Se você não responder em 10 dias" in message.body
    assert "aprovada automaticamente" in message.body
    assert "Aprovar ou recusar a solução" in html_of(message)


def test_approval_tells_the_solutions_author_and_invites_the_requester_to_the_survey(
    committed, mailoutbox, requester, team, ticket
):
    pending_solution(ticket, team.agent, committed, mailoutbox)
    # Someone else works the ticket now: the author of the solution still hears the outcome.
    Ticket.objects.filter(pk=ticket.pk).update(assigned_agent=team.colleague)
    with committed():
        entry = solution_approve(actor=requester, ticket=ticket, comment="Funcionou!")
    sent = by_recipient(mailoutbox)
    assert set(sent) == {team.agent.email, requester.email}

    told = sent[team.agent.email]
    assert_well_formed(
        told,
        number=ticket.number,
        subject="Solução aprovada pelo requerente",
        link=f"{desk_link(ticket)}#registro-{entry.pk}",
    )
    assert "aprovou" in told.body and "> Funcionou!" in told.body

    invitation = sent[requester.email]
    assert invitation.subject == f"[Chamado #{ticket.number}] Avalie o atendimento"
    assert f"{BASE}/avaliacao/" in invitation.body
    assert "Minhas preferências" in invitation.body  # an optional e-mail says how to stop it


def test_refusal_tells_the_author_with_the_comment_and_sends_no_survey(
    committed, mailoutbox, requester, team, ticket
):
    pending_solution(ticket, team.agent, committed, mailoutbox)
    with committed():
        solution_refuse(actor=requester, ticket=ticket, comment="Continua travando.")
    (message,) = mailoutbox
    assert message.to == [team.agent.email]
    assert message.subject == f"[Chamado #{ticket.number}] Solução recusada pelo requerente"
    assert "recusou" in message.body and "> Continua travando." in message.body


def test_reopening_tells_the_assigned_agent(committed, mailoutbox, requester, team, ticket):
    pending_solution(ticket, team.agent, committed, mailoutbox)
    with committed():
        solution_approve(actor=requester, ticket=ticket)
    mailoutbox.clear()
    with committed():
        entry = ticket_reopen(actor=requester, ticket=ticket, comment="Voltou a travar.")
    (message,) = mailoutbox
    assert message.to == [team.agent.email]
    assert_well_formed(
        message,
        number=ticket.number,
        subject="Chamado reaberto pelo requerente",
        link=f"{desk_link(ticket)}#registro-{entry.pk}",
    )
    assert "> Voltou a travar." in message.body


# --- Automatic transitions (system actor) -----------------------------------------------------


def age(ticket, days):
    Ticket.objects.filter(pk=ticket.pk).update(
        last_interaction_at=timezone.now() - timedelta(days=days)
    )


def test_reminder_two_days_before_automatic_approval(
    committed, mailoutbox, requester, team, ticket
):
    pending_solution(ticket, team.agent, committed, mailoutbox)
    age(ticket, 8)
    with committed():
        assert automatic_transitions_run().reminded == 1
    (message,) = mailoutbox
    assert message.to == [requester.email]
    due = (timezone.localtime() + timedelta(days=2)).strftime("%d/%m/%Y")
    assert message.subject == f"[Chamado #{ticket.number}] Lembrete: resolução automática em {due}"
    assert "aprovar ou recusar a solução" in message.body
    assert portal_link(ticket) in message.body


def test_automatic_approval_tells_the_requester_and_invites_to_the_survey(
    committed, mailoutbox, requester, team, ticket
):
    pending_solution(ticket, team.agent, committed, mailoutbox)
    age(ticket, 11)
    with committed():
        assert automatic_transitions_run().auto_approved == 1
    assert [message.to for message in mailoutbox] == [[requester.email], [requester.email]]
    resolved, invitation = mailoutbox
    assert resolved.subject == f"[Chamado #{ticket.number}] Chamado resolvido automaticamente"
    assert "Solução aprovada automaticamente após 10 dias sem interação." in resolved.body
    assert "você pode reabrir o chamado" in resolved.body
    assert invitation.subject.endswith("Avalie o atendimento")


def test_automatic_resolution_of_an_unanswered_information_request(
    committed, mailoutbox, requester, team, ticket
):
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Status.WAITING, waiting_on=WaitingOn.REQUESTER, assigned_agent=team.agent
    )
    age(ticket, 11)
    with committed():
        assert automatic_transitions_run().auto_resolved == 1
    assert [message.subject.split("] ")[1] for message in mailoutbox] == [
        "Chamado resolvido automaticamente",
        "Avalie o atendimento",
    ]
    assert all(message.to == [requester.email] for message in mailoutbox)


def test_no_survey_invitation_once_the_survey_is_answered(
    committed, mailoutbox, requester, team, ticket
):
    from servicedesk.surveys.services import survey_answer

    pending_solution(ticket, team.agent, committed, mailoutbox)
    solution_approve(actor=requester, ticket=ticket)
    survey_answer(actor=requester, ticket=ticket, stars=5)
    # The invitation recorded by the approval is delivered after the answer: nothing to send.
    assert Delivery.objects.get(event__topic=topics.SURVEY_INVITATION).status == "pending"
    with committed():
        sweep(now=timezone.now() + timedelta(hours=1))
    assert [message.subject.split("] ")[1] for message in mailoutbox] == [
        "Solução aprovada pelo requerente"
    ]
    assert Delivery.objects.get(event__topic=topics.SURVEY_INVITATION).status == "skipped"


# --- Preferences, missing addresses, inactive users -------------------------------------------


def test_optional_e_mails_turned_off_essential_ones_still_sent(
    committed, mailoutbox, requester, team, ticket
):
    requester.email_optional_notifications = False
    requester.save()
    with committed():
        reply(ticket, team.agent)  # essential
    assert [message.to for message in mailoutbox] == [[requester.email]]
    mailoutbox.clear()
    pending_solution(ticket, team.agent, committed, mailoutbox)
    age(ticket, 8)
    with committed():
        automatic_transitions_run()  # the reminder: optional
    assert mailoutbox == []
    with committed():
        solution_approve(actor=requester, ticket=ticket)  # the survey invitation: optional
    assert [message.to for message in mailoutbox] == [[team.agent.email]]


@pytest.mark.parametrize("address", ["", "nao-e-um-email", "falta@dominio"])
def test_a_user_without_a_valid_address_is_skipped_and_logged_the_rest_still_goes(
    committed, mailoutbox, caplog, team, ticket, address
):
    requester = UserFactory(email=address)
    caplog.set_level(logging.WARNING, logger="servicedesk.notifications")
    with committed():
        opened = ticket_open(actor=requester, subject=ticket.subject, answers=[], files=[])
    assert set(by_recipient(mailoutbox)) == {team.agent.email, team.colleague.email}
    assert (
        f"e-mail ticket_opened of ticket {opened.pk} skipped: user {requester.pk} "
        "has no valid e-mail address"
    ) in caplog.messages


def test_an_inactive_requester_gets_nothing(committed, mailoutbox, requester, team, ticket):
    requester.is_active = False
    requester.save()
    with committed():
        reply(ticket, team.agent)
    assert mailoutbox == []


def test_cpfs_in_text_are_masked_but_other_numbers_stay():
    assert events.mask_cpfs("CPF 123.456.789-09, processo 12345678901") == (
        "CPF ***.456.789-**, processo 12345678901"
    )
    assert events.mask_cpfs("cpf 12345678909") == "cpf ***.456.789-**"


# --- Recipients are decided at commit ---------------------------------------------------------


def test_who_is_told_is_decided_at_commit_not_when_a_worker_gets_to_it(
    django_capture_on_commit_callbacks, mailoutbox, requester, team, ticket
):
    """Measured before the outbox: with the worker behind, a ticket an agent took before
    the e-mail task ran told only that agent, not the group it was opened for."""
    from servicedesk.tickets.services.assignment import ticket_assign

    with django_capture_on_commit_callbacks(execute=False) as relays:
        opened = ticket_open(actor=requester, subject=ticket.subject, answers=[], files=[])
    ticket_assign(actor=team.agent, ticket=opened, agent=team.agent)  # before any worker ran
    team.colleague.email = "carla.nova@example.gov.br"  # what changes later is read later
    team.colleague.save()
    for relay in relays:
        relay()
    sent = by_recipient(mailoutbox)
    assert set(sent) == {requester.email, team.agent.email, "carla.nova@example.gov.br"}
    assert sent[team.agent.email].subject.endswith("Novo chamado: Erro ao salvar emenda")
