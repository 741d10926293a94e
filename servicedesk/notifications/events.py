"""One function per e-mail event, which the ticket services schedule with after_commit()
(never from signals): after the commit, one Celery task runs the event in the worker, and
the event reloads what it needs by id, decides who is told, renders the pt-BR templates and
queues one task per message. The request that caused it only queues that first task:
rendering a group's e-mails was most of the time of opening a ticket. Without Redis the
tasks run inline, as before. None of them ever raises into the ticket action: a failed
e-mail is logged, the reply or the approval it follows stands.

Who is told: requester-facing events go to the requester only; team-facing ones to the
assigned agent or, with nobody assigned, to the active members of the assigned group; a
ticket that lands in a group with no active member goes to the active supervisors
(ticket_unattended). Never the author of the event, never an inactive user, never a private
note; attachments by name only; CPFs masked."""

import functools
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from servicedesk.accounts.cpf import is_valid_cpf, mask_cpf
from servicedesk.accounts.models import User
from servicedesk.surveys.models import Survey
from servicedesk.surveys.services import survey_window
from servicedesk.tickets.models import EntryKind, Solution, Ticket, TimelineEntry
from servicedesk.tickets.status import Event, Status

from .links import absolute_url, survey_link_url
from .mail import valid_address
from .tasks import email_send_task, event_notify_task

logger = logging.getLogger(__name__)

SUBJECT_OPENED = "Chamado aberto: {subject}"
SUBJECT_OPENED_TEAM = "Novo chamado: {subject}"
SUBJECT_UNATTENDED = "Chamado sem técnico: o grupo {group} não tem técnicos ativos"
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


# The events by name, for the task that runs them (tasks.event_notify_task).
EVENTS: dict[str, Callable[..., int]] = {}


def _never_raises(event: Callable[..., int]) -> Callable[..., int]:
    """An exception in an event would turn a committed action into an error page (inline)
    or a task retried for nothing (worker), so it is logged instead."""

    @functools.wraps(event)
    def wrapper(**ids) -> int:
        try:
            return event(**ids)
        except Exception:
            logger.exception("e-mail notification %s failed for %s", event.__name__, ids)
            return 0

    EVENTS[event.__name__] = wrapper
    return wrapper


def _queue_event(name: str, ids: dict) -> None:
    try:
        event_notify_task.delay(event=name, ids=ids)
    except Exception:  # the broker is down: the action stands, the e-mails are lost
        logger.exception("e-mail notification %s could not be queued for %s", name, ids)


def after_commit(event: Callable[..., int], **ids: int) -> None:
    """Run `event(**ids)` in the worker once the current transaction commits."""
    transaction.on_commit(functools.partial(_queue_event, event.__name__, ids))


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


def _send(ticket: Ticket, recipients: Iterable[User], mail: _Mail) -> int:
    """Render and queue one message per recipient; returns how many were queued."""
    queued = 0
    subject = f"[Chamado #{ticket.pk}] {' '.join(mail.subject.split())}"
    for user in recipients:
        if mail.optional and not user.email_optional_notifications:
            logger.info(
                "e-mail %s of ticket %s not sent to user %s: optional e-mails turned off",
                mail.template,
                ticket.pk,
                user.pk,
            )
            continue
        address = valid_address(user.email)
        if address is None:
            logger.warning(
                "e-mail %s of ticket %s skipped: user %s has no valid e-mail address",
                mail.template,
                ticket.pk,
                user.pk,
            )
            continue
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
        try:
            email_send_task.delay(
                message_id=make_msgid(f"chamado{ticket.pk}", domain=_message_domain()),
                to=address,
                subject=subject,
                text=_BLANK_LINES.sub(
                    "\n\n", render_to_string(f"notifications/{mail.template}.txt", context)
                ).strip()
                + "\n",
                html=render_to_string(f"notifications/{mail.template}.html", context),
            )
        except Exception:  # inline (eager) sending that failed for good: the others still go
            logger.exception(
                "e-mail %s of ticket %s to user %s failed", mail.template, ticket.pk, user.pk
            )
            continue
        queued += 1
    return queued


# --- What the events need -------------------------------------------------------------------


def _ticket(ticket_id: int) -> Ticket:
    return Ticket.objects.select_related(
        "requester", "assigned_agent", "assigned_group", "service", "subject"
    ).get(pk=ticket_id)


def _entry(ticket: Ticket, entry_id: int) -> TimelineEntry | None:
    entry = TimelineEntry.objects.select_related("actor").get(pk=entry_id, ticket=ticket)
    if entry.is_private:  # defence in depth: no service asks, and none ever should
        logger.error("refusing to e-mail private entry %s of ticket %s", entry.pk, ticket.pk)
        return None
    return entry


def _others(users: Iterable[User], actor_id: int | None) -> list[User]:
    chosen, seen = [], set()
    for user in users:
        if user.is_active and user.pk != actor_id and user.pk not in seen:
            seen.add(user.pk)
            chosen.append(user)
    return chosen


def _requester(ticket: Ticket, actor_id: int | None) -> list[User]:
    return _others([ticket.requester], actor_id)


def _team(ticket: Ticket, actor_id: int | None, first_choice: User | None = None) -> list[User]:
    """Whoever works the ticket; with nobody (active) assigned, its group's active members."""
    for person in (first_choice, ticket.assigned_agent):
        if person is not None and person.is_active:
            return _others([person], actor_id)
    if ticket.assigned_group_id is None:
        return []
    members = ticket.assigned_group.members.filter(is_active=True).order_by("full_name", "pk")
    return _others(members, actor_id)


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


# --- The events -------------------------------------------------------------------------------


@_never_raises
def ticket_opened(*, ticket_id: int, entry_id: int) -> int:
    """A confirmation to the requester (the one event that tells its own author), and the
    news to the receiving group."""
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    context = {
        "answers": _answers(ticket),
        "file_names": _message(entry)["file_names"],
        "requester_cpf": mask_cpf(ticket.requester.cpf),
    }
    subject_name = ticket.subject.name
    return _send(
        ticket,
        _requester(ticket, actor_id=None),
        _Mail(
            "ticket_opened",
            SUBJECT_OPENED.format(subject=subject_name),
            _portal_link(ticket),
            "Acompanhar o chamado",
            context,
        ),
    ) + _send(
        ticket,
        _team(ticket, entry.actor_id),
        _Mail(
            "ticket_opened_team",
            SUBJECT_OPENED_TEAM.format(subject=subject_name),
            _desk_link(ticket),
            "Abrir na mesa de atendimento",
            context,
        ),
    )


def _supervisors(actor_id: int | None) -> list[User]:
    return _others(
        User.objects.filter(is_supervisor=True, is_active=True).order_by("full_name", "pk"),
        actor_id,
    )


@_never_raises
def ticket_unattended(*, ticket_id: int, entry_id: int) -> int:
    """The ticket landed (opened, or assigned to a group without an agent) in a group with no
    active member: nobody on the team was told, so the active supervisors are (issue 14).
    Checked again here: if someone took the ticket or joined the group since, nobody is."""
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    agent = ticket.assigned_agent
    group = ticket.assigned_group
    if (agent is not None and agent.is_active) or (
        group is not None and group.members.filter(is_active=True).exists()
    ):
        return 0
    group_name = group.name if group else "—"
    return _send(
        ticket,
        _supervisors(entry.actor_id),
        _Mail(
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
        ),
    )


@_never_raises
def agent_replied(*, ticket_id: int, entry_id: int) -> int:
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    return _send(
        ticket,
        _requester(ticket, entry.actor_id),
        _Mail(
            "agent_reply",
            SUBJECT_AGENT_REPLY,
            _portal_link(ticket, entry),
            "Ver e responder",
            {"entry": entry, **_message(entry)},
        ),
    )


@_never_raises
def requester_replied(*, ticket_id: int, entry_id: int) -> int:
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    answered = entry.payload.get("event") == Event.REQUESTER_REPLY
    return _send(
        ticket,
        _team(ticket, entry.actor_id),
        _Mail(
            "requester_reply",
            SUBJECT_REQUESTER_REPLY,
            _desk_link(ticket, entry),
            "Abrir na mesa de atendimento",
            {"entry": entry, "answered_request": answered, **_message(entry)},
        ),
    )


def _awaiting_requester(ticket_id: int, entry_id: int, *, template, subject, button) -> int:
    """The team asked something of the requester (information, or to validate a solution):
    what was written, and the date the ticket resolves by itself without an answer."""
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    context = {
        "entry": entry,
        "feedback_days": settings.PORTAL_FEEDBACK_DAYS,
        "due": _feedback_due(entry),
        **_message(entry),
    }
    mail = _Mail(template, subject, _portal_link(ticket, entry), button, context)
    return _send(ticket, _requester(ticket, entry.actor_id), mail)


@_never_raises
def information_requested(*, ticket_id: int, entry_id: int) -> int:
    return _awaiting_requester(
        ticket_id,
        entry_id,
        template="information_request",
        subject=SUBJECT_INFORMATION,
        button="Responder no portal",
    )


@_never_raises
def solution_proposed(*, ticket_id: int, entry_id: int) -> int:
    return _awaiting_requester(
        ticket_id,
        entry_id,
        template="solution_proposed",
        subject=SUBJECT_SOLUTION,
        button="Aprovar ou recusar a solução",
    )


@_never_raises
def auto_resolution_reminder(*, ticket_id: int, entry_id: int) -> int:
    """Optional: the requester may turn reminders off in "Minhas preferências"."""
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    due = parse_datetime(entry.payload.get("due", "")) or _feedback_due(entry)
    return _send(
        ticket,
        _requester(ticket, actor_id=None),
        _Mail(
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
        ),
    )


def _decided(ticket_id: int, entry_id: int, *, approved: bool) -> int:
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    solution = (
        Solution.objects.select_related("author").filter(pk=entry.payload.get("solution")).first()
    )
    return _send(
        ticket,
        _team(ticket, entry.actor_id, first_choice=solution.author if solution else None),
        _Mail(
            "solution_decided",
            SUBJECT_APPROVED if approved else SUBJECT_REFUSED,
            _desk_link(ticket, entry),
            "Abrir na mesa de atendimento",
            {"entry": entry, "approved": approved, **_message(entry)},
        ),
    )


@_never_raises
def solution_approved(*, ticket_id: int, entry_id: int) -> int:
    return _decided(ticket_id, entry_id, approved=True)


@_never_raises
def solution_refused(*, ticket_id: int, entry_id: int) -> int:
    return _decided(ticket_id, entry_id, approved=False)


@_never_raises
def ticket_reopened(*, ticket_id: int, entry_id: int) -> int:
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    return _send(
        ticket,
        _team(ticket, entry.actor_id),
        _Mail(
            "ticket_reopened",
            SUBJECT_REOPENED,
            _desk_link(ticket, entry),
            "Abrir na mesa de atendimento",
            {"entry": entry, **_message(entry)},
        ),
    )


@_never_raises
def ticket_auto_resolved(*, ticket_id: int, entry_id: int) -> int:
    ticket = _ticket(ticket_id)
    entry = _entry(ticket, entry_id)
    if entry is None:
        return 0
    reopen_until = (
        ticket.resolved_at + timedelta(days=settings.PORTAL_REOPEN_DAYS)
        if ticket.resolved_at
        else None
    )
    return _send(
        ticket,
        _requester(ticket, actor_id=None),
        _Mail(
            "auto_resolved",
            SUBJECT_AUTO_RESOLVED,
            _portal_link(ticket),
            "Abrir o chamado",
            {
                "entry": entry,
                "reason": entry.payload.get("reason", ""),
                "reopen_until": reopen_until,
            },
        ),
    )


@_never_raises
def survey_invitation(*, ticket_id: int) -> int:
    """Optional, and only while the survey is open and unanswered. The link is signed and
    valid PORTAL_SURVEY_DAYS days; it still asks the requester to log in."""
    ticket = _ticket(ticket_id)
    survey = Survey.objects.filter(ticket=ticket).first()
    window = survey_window(user=ticket.requester, ticket=ticket, survey=survey)
    if not window.can_answer:
        return 0
    return _send(
        ticket,
        _requester(ticket, actor_id=None),
        _Mail(
            "survey_invitation",
            SUBJECT_SURVEY,
            survey_link_url(ticket_number=ticket.pk, requester_id=ticket.requester_id),
            "Avaliar o atendimento",
            {"answer_until": window.answer_until},
            optional=True,
        ),
    )
