"""The e-mails of ticket events: one handler per outbox topic (tickets/notifications.py
decides who is told, in the change's transaction), called by the outbox once per recipient.
A handler reloads what it needs by id, renders the pt-BR templates for that recipient and
sends one message whose Message-ID is derived from the delivery (event and recipient), so a
run repeated after a crash sends the same message, and the outbox marks it sent once.

At delivery time a recipient who became inactive, turned the optional e-mails off or has
no valid address is skipped (logged, and kept as the delivery's reason). Never a private
note; attachments by name only; CPFs masked."""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from servicedesk.accounts.cpf import is_valid_cpf, mask_cpf
from servicedesk.outbox.models import Delivery
from servicedesk.outbox.services import Skip, register
from servicedesk.surveys.models import Survey
from servicedesk.surveys.services import survey_window
from servicedesk.tickets import notifications as topics
from servicedesk.tickets.models import EntryKind, Ticket, TimelineEntry
from servicedesk.tickets.status import Event, Status

from .links import absolute_url, survey_link_url
from .mail import email_send, valid_address

logger = logging.getLogger(__name__)

SUBJECT_OPENED = "Chamado aberto: {subject}"
SUBJECT_OPENED_TEAM = "Novo chamado: {subject}"
SUBJECT_AGENT_REPLY = "Nova resposta da equipe de atendimento"
SUBJECT_REQUESTER_REPLY = "Nova mensagem do requerente"
SUBJECT_INFORMATION = "Precisamos de informações para continuar"
SUBJECT_SOLUTION = "Solução proposta: aprove ou recuse"
SUBJECT_REMINDER = "Lembrete: resolução automática em {date}"
SUBJECT_APPROVED = "Solução aprovada pelo requerente"
SUBJECT_REFUSED = "Solução recusada pelo requerente"
SUBJECT_REOPENED = "Chamado reaberto pelo requerente"
SUBJECT_AUTO_RESOLVED = "Chamado resolvido automaticamente"
SUBJECT_SURVEY = "Avalie o atendimento"
SUBJECT_UNATTENDED = "Chamado sem técnico: o grupo {group} não tem técnicos ativos"

# A CPF written with its punctuation is masked whatever its check digits; eleven bare digits
# only when they are a valid CPF (an order or process number must stay readable).
_CPF_FORMATTED = re.compile(r"(?<!\d)\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)")
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
# Template tags leave runs of empty lines in the plain-text part.
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


def mask_cpfs(text: str) -> str:
    text = _CPF_FORMATTED.sub(lambda match: mask_cpf(re.sub(r"\D", "", match.group())), text)
    return _ELEVEN_DIGITS.sub(
        lambda match: mask_cpf(match.group()) if is_valid_cpf(match.group()) else match.group(),
        text,
    )


@dataclass
class _Mail:
    template: str
    subject: str
    link_url: str
    link_label: str
    context: dict = field(default_factory=dict)
    optional: bool = False  # reminders and survey invitations: the user may turn them off


def _message_domain() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"


def message_id(delivery: Delivery, ticket_id: int) -> str:
    """The same for every run of a delivery (event and recipient), unique across them: a
    message sent again after a crash is recognisably the same message."""
    return (
        f"<chamado{ticket_id}.evento{delivery.event_id}.usuario{delivery.recipient_id}"
        f"@{_message_domain()}>"
    )


def _send(delivery: Delivery, ticket: Ticket, mail: _Mail) -> None:
    """Render the message for the delivery's recipient and send it; Skip when there is
    nothing to send to them. SMTP and connection errors propagate: a failed attempt."""
    user = delivery.recipient
    what = f"e-mail {mail.template} of ticket {ticket.pk} to user {user.pk}"
    if not user.is_active:
        raise Skip(f"{what}: the user is inactive")
    if mail.optional and not user.email_optional_notifications:
        logger.info("%s not sent: optional e-mails turned off", what)
        raise Skip(f"{what}: optional e-mails turned off")
    address = valid_address(user.email)
    if address is None:
        logger.warning(
            "e-mail %s of ticket %s skipped: user %s has no valid e-mail address",
            mail.template,
            ticket.pk,
            user.pk,
        )
        raise Skip(f"{what}: no valid e-mail address")
    subject = f"[Chamado #{ticket.pk}] {' '.join(mail.subject.split())}"
    context = {
        "portal_name": settings.PORTAL_NAME,
        "subject": subject,
        "recipient": user,
        "ticket": ticket,
        "link_url": mail.link_url,
        "link_label": mail.link_label,
        "optional": mail.optional,
        "preferences_url": absolute_url(reverse("accounts:preferences")),
        **mail.context,
    }
    text = render_to_string(f"notifications/{mail.template}.txt", context)
    try:
        sent = email_send(
            message_id=message_id(delivery, ticket.pk),
            to=address,
            subject=subject,
            text=_BLANK_LINES.sub("\n\n", text).strip() + "\n",
            html=render_to_string(f"notifications/{mail.template}.html", context),
        )
    except Exception:
        logger.exception("%s failed", what)
        raise
    if not sent:
        raise Skip(f"{what}: the SMTP server refused the address")


# --- What the e-mails need ------------------------------------------------------------------


def _ticket(delivery: Delivery) -> Ticket:
    return Ticket.objects.select_related(
        "requester", "assigned_agent", "assigned_group", "service", "subject"
    ).get(pk=delivery.event.data["ticket_id"])


def _entry(delivery: Delivery, ticket: Ticket) -> TimelineEntry:
    entry = TimelineEntry.objects.select_related("actor").get(
        pk=delivery.event.data["entry_id"], ticket=ticket
    )
    if entry.is_private:  # defence in depth: no service asks, and none ever should
        logger.error("refusing to e-mail private entry %s of ticket %s", entry.pk, ticket.pk)
        raise Skip(f"entry {entry.pk} is private")
    return entry


def _portal_link(ticket: Ticket, entry: TimelineEntry | None = None) -> str:
    anchor = f"#registro-{entry.pk}" if entry else ""
    return absolute_url(ticket.get_absolute_url()) + anchor


def _desk_link(ticket: Ticket, entry: TimelineEntry | None = None) -> str:
    anchor = f"#registro-{entry.pk}" if entry else ""
    return absolute_url(reverse("desk:ticket", args=[ticket.pk])) + anchor


def _message(entry: TimelineEntry) -> dict:
    """The entry's text, quoted (CPFs masked), and the names of its files (never contents)."""
    text = mask_cpfs(entry.body_text.strip())
    return {
        "quote": text,
        "quote_text": "\n".join(f"> {line}" if line else ">" for line in text.splitlines()),
        "file_names": [
            attachment.original_name for attachment in entry.attachments.filter(is_inline=False)
        ],
    }


def _answers(ticket: Ticket) -> list[tuple[str, str]]:
    return [
        (answer["label"], mask_cpfs(str(answer["value"])))
        for answer in ticket.answers
        if answer.get("value") not in (None, "", [])
    ]


def _feedback_due(entry: TimelineEntry):
    return entry.created_at + timedelta(days=settings.PORTAL_FEEDBACK_DAYS)


# --- The e-mails, one handler per topic -------------------------------------------------------

HANDLERS: dict[str, Callable[[Delivery], None]] = {}


def _handles(topic: str):
    def decorate(handler: Callable[[Delivery], None]) -> Callable[[Delivery], None]:
        HANDLERS[topic] = handler
        return handler

    return decorate


def _opened_context(ticket: Ticket, entry: TimelineEntry) -> dict:
    return {
        "answers": _answers(ticket),
        "file_names": _message(entry)["file_names"],
        "requester_cpf": mask_cpf(ticket.requester.cpf),
    }


@_handles(topics.TICKET_OPENED)
def ticket_opened(delivery: Delivery) -> None:
    """The confirmation to the requester."""
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    mail = _Mail(
        "ticket_opened",
        SUBJECT_OPENED.format(subject=ticket.subject.name),
        _portal_link(ticket),
        "Acompanhar o chamado",
        _opened_context(ticket, entry),
    )
    _send(delivery, ticket, mail)


@_handles(topics.TICKET_OPENED_TEAM)
def ticket_opened_team(delivery: Delivery) -> None:
    """The news to the receiving group."""
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    mail = _Mail(
        "ticket_opened_team",
        SUBJECT_OPENED_TEAM.format(subject=ticket.subject.name),
        _desk_link(ticket),
        "Abrir na mesa de atendimento",
        _opened_context(ticket, entry),
    )
    _send(delivery, ticket, mail)


@_handles(topics.AGENT_REPLIED)
def agent_replied(delivery: Delivery) -> None:
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    mail = _Mail(
        "agent_reply",
        SUBJECT_AGENT_REPLY,
        _portal_link(ticket, entry),
        "Ver e responder",
        {"entry": entry, **_message(entry)},
    )
    _send(delivery, ticket, mail)


@_handles(topics.REQUESTER_REPLIED)
def requester_replied(delivery: Delivery) -> None:
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    answered = entry.payload.get("event") == Event.REQUESTER_REPLY
    mail = _Mail(
        "requester_reply",
        SUBJECT_REQUESTER_REPLY,
        _desk_link(ticket, entry),
        "Abrir na mesa de atendimento",
        {"entry": entry, "answered_request": answered, **_message(entry)},
    )
    _send(delivery, ticket, mail)


def _awaiting_requester(delivery: Delivery, *, template, subject, button) -> None:
    """The team asked something of the requester (information, or to validate a solution):
    what was written, and the date the ticket resolves by itself without an answer."""
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    context = {
        "entry": entry,
        "feedback_days": settings.PORTAL_FEEDBACK_DAYS,
        "due": _feedback_due(entry),
        **_message(entry),
    }
    _send(delivery, ticket, _Mail(template, subject, _portal_link(ticket, entry), button, context))


@_handles(topics.INFORMATION_REQUESTED)
def information_requested(delivery: Delivery) -> None:
    _awaiting_requester(
        delivery,
        template="information_request",
        subject=SUBJECT_INFORMATION,
        button="Responder no portal",
    )


@_handles(topics.SOLUTION_PROPOSED)
def solution_proposed(delivery: Delivery) -> None:
    _awaiting_requester(
        delivery,
        template="solution_proposed",
        subject=SUBJECT_SOLUTION,
        button="Aprovar ou recusar a solução",
    )


@_handles(topics.AUTO_RESOLUTION_REMINDER)
def auto_resolution_reminder(delivery: Delivery) -> None:
    """Optional: the requester may turn reminders off in "Minhas preferências"."""
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    due = parse_datetime(entry.payload.get("due", "")) or _feedback_due(entry)
    mail = _Mail(
        "reminder",
        SUBJECT_REMINDER.format(date=timezone.localtime(due).strftime("%d/%m/%Y")),
        _portal_link(ticket),
        "Abrir o chamado",
        {
            "entry": entry,
            "due": due,
            "solution_pending": ticket.status == Status.TO_VALIDATE,
            "reminder_text": entry.body_text,
        },
        optional=True,
    )
    _send(delivery, ticket, mail)


def _decided(delivery: Delivery, *, approved: bool) -> None:
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    mail = _Mail(
        "solution_decided",
        SUBJECT_APPROVED if approved else SUBJECT_REFUSED,
        _desk_link(ticket, entry),
        "Abrir na mesa de atendimento",
        {"entry": entry, "approved": approved, **_message(entry)},
    )
    _send(delivery, ticket, mail)


@_handles(topics.SOLUTION_APPROVED)
def solution_approved(delivery: Delivery) -> None:
    _decided(delivery, approved=True)


@_handles(topics.SOLUTION_REFUSED)
def solution_refused(delivery: Delivery) -> None:
    _decided(delivery, approved=False)


@_handles(topics.TICKET_REOPENED)
def ticket_reopened(delivery: Delivery) -> None:
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    mail = _Mail(
        "ticket_reopened",
        SUBJECT_REOPENED,
        _desk_link(ticket, entry),
        "Abrir na mesa de atendimento",
        {"entry": entry, **_message(entry)},
    )
    _send(delivery, ticket, mail)


@_handles(topics.TICKET_AUTO_RESOLVED)
def ticket_auto_resolved(delivery: Delivery) -> None:
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    reopen_until = (
        ticket.resolved_at + timedelta(days=settings.PORTAL_REOPEN_DAYS)
        if ticket.resolved_at
        else None
    )
    mail = _Mail(
        "auto_resolved",
        SUBJECT_AUTO_RESOLVED,
        _portal_link(ticket),
        "Abrir o chamado",
        {"entry": entry, "reason": entry.payload.get("reason", ""), "reopen_until": reopen_until},
    )
    _send(delivery, ticket, mail)


@_handles(topics.SURVEY_INVITATION)
def survey_invitation(delivery: Delivery) -> None:
    """Optional, and only while the survey is open and unanswered. The link is signed and
    valid PORTAL_SURVEY_DAYS days; it still asks the requester to log in."""
    ticket = _ticket(delivery)
    survey = Survey.objects.filter(ticket=ticket).first()
    window = survey_window(user=ticket.requester, ticket=ticket, survey=survey)
    if not window.can_answer:
        raise Skip(f"the survey of ticket {ticket.pk} cannot be answered any more")
    mail = _Mail(
        "survey_invitation",
        SUBJECT_SURVEY,
        survey_link_url(ticket_number=ticket.pk, requester_id=ticket.requester_id),
        "Avaliar o atendimento",
        {"answer_until": window.answer_until},
        optional=True,
    )
    _send(delivery, ticket, mail)


@_handles(topics.TICKET_UNATTENDED)
def ticket_unattended(delivery: Delivery) -> None:
    """The ticket landed (opened, or assigned to a group without an agent) in a group with no
    active member: nobody on the team was told, so the active supervisors are (issue 14).
    Checked again when sent: if someone took the ticket or joined the group since, the
    supervisors are spared the e-mail."""
    ticket = _ticket(delivery)
    entry = _entry(delivery, ticket)
    agent, group = ticket.assigned_agent, ticket.assigned_group
    if (agent is not None and agent.is_active) or (
        group is not None and group.members.filter(is_active=True).exists()
    ):
        raise Skip(f"ticket {ticket.pk} has someone on it now")
    group_name = group.name if group else "—"
    mail = _Mail(
        "ticket_unattended",
        SUBJECT_UNATTENDED.format(group=group_name),
        _desk_link(ticket),
        "Atribuir na mesa de atendimento",
        {
            "group_name": group_name,
            "opened": entry.kind == EntryKind.OPENED,
            "answers": _answers(ticket),
            "requester_cpf": mask_cpf(ticket.requester.cpf),
        },
    )
    _send(delivery, ticket, mail)


def register_handlers() -> None:
    """Deliver each topic's e-mails through the outbox (called by NotificationsConfig.ready).
    A new topic: its constant and recipients in tickets/notifications.py, its handler here."""
    for topic, handler in HANDLERS.items():
        register(topic, handler)
