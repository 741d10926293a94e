"""What a ticket's changes tell people, and who is told: written to the outbox in the change's
own transaction (servicedesk/outbox), so the recipients are those of the state being
committed, never of whatever the ticket became by the time a worker gets to it. The
notifications app renders and sends each topic's e-mail.

Who is told: requester-facing events go to the requester only; team-facing ones to the
assigned agent or, with nobody (active) assigned, to the active members of the assigned
group. Never the author of the event (the opening's confirmation is the one exception),
never an inactive user, never for a private entry.

Adding a topic: a constant here, a function that records it with its recipients (called by
the service inside its transaction), and a handler registered for it in
notifications/events.py (docs/outbox.md)."""

import logging
from collections.abc import Iterable

from servicedesk.accounts.models import User
from servicedesk.outbox.services import record

from .models import Solution, Ticket, TimelineEntry

logger = logging.getLogger(__name__)

TICKET_OPENED = "tickets.opened"  # the confirmation to the requester
TICKET_OPENED_TEAM = "tickets.opened_team"  # the news to the receiving group
AGENT_REPLIED = "tickets.agent_replied"
REQUESTER_REPLIED = "tickets.requester_replied"
INFORMATION_REQUESTED = "tickets.information_requested"
SOLUTION_PROPOSED = "tickets.solution_proposed"
SOLUTION_APPROVED = "tickets.solution_approved"
SOLUTION_REFUSED = "tickets.solution_refused"
TICKET_REOPENED = "tickets.reopened"
AUTO_RESOLUTION_REMINDER = "tickets.auto_resolution_reminder"
TICKET_AUTO_RESOLVED = "tickets.auto_resolved"
SURVEY_INVITATION = "tickets.survey_invitation"
# To the supervisors: the ticket landed in a group nobody active is in (issue 14).
TICKET_UNATTENDED = "tickets.unattended"


def _others(users: Iterable[User | None], actor_id: int | None) -> list[int]:
    return list(
        dict.fromkeys(user.pk for user in users if user and user.is_active and user.pk != actor_id)
    )


def requester(ticket: Ticket, actor_id: int | None = None) -> list[int]:
    return _others([ticket.requester], actor_id)


def team(ticket: Ticket, actor_id: int | None, first_choice: User | None = None) -> list[int]:
    """Whoever works the ticket; with nobody (active) assigned, its group's active members."""
    for person in (first_choice, ticket.assigned_agent):
        if person is not None and person.is_active:
            return _others([person], actor_id)
    if ticket.assigned_group_id is None:
        return []
    members = ticket.assigned_group.members.filter(is_active=True).order_by("full_name", "pk")
    return _others(members, actor_id)


def supervisors(actor_id: int | None = None) -> list[int]:
    return _others(
        User.objects.filter(is_supervisor=True, is_active=True).order_by("full_name", "pk"),
        actor_id,
    )


def _tell(topic: str, recipients: list[int], ticket: Ticket, entry: TimelineEntry | None):
    if entry is not None and entry.is_private:  # defence in depth: no service asks
        logger.error("refusing to tell anyone of private entry %s", entry.pk)
        return
    data = {"ticket_id": ticket.pk}
    if entry is not None:
        data["entry_id"] = entry.pk
    record(topic, recipients=recipients, **data)


def ticket_opened(ticket: Ticket, entry: TimelineEntry) -> None:
    """A confirmation to the requester (the one event that tells its own author), and the
    news to the receiving group."""
    _tell(TICKET_OPENED, requester(ticket), ticket, entry)
    _tell(TICKET_OPENED_TEAM, team(ticket, entry.actor_id), ticket, entry)


def agent_replied(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(AGENT_REPLIED, requester(ticket, entry.actor_id), ticket, entry)


def requester_replied(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(REQUESTER_REPLIED, team(ticket, entry.actor_id), ticket, entry)


def information_requested(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(INFORMATION_REQUESTED, requester(ticket, entry.actor_id), ticket, entry)


def solution_proposed(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(SOLUTION_PROPOSED, requester(ticket, entry.actor_id), ticket, entry)


def solution_decided(
    ticket: Ticket, entry: TimelineEntry, solution: Solution, *, approved: bool
) -> None:
    """The solution's author hears the outcome even if someone else works the ticket now."""
    topic = SOLUTION_APPROVED if approved else SOLUTION_REFUSED
    _tell(topic, team(ticket, entry.actor_id, first_choice=solution.author), ticket, entry)


def ticket_reopened(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(TICKET_REOPENED, team(ticket, entry.actor_id), ticket, entry)


def auto_resolution_reminder(ticket: Ticket, entry: TimelineEntry) -> None:
    """Optional: the requester may turn reminders off (checked when it is sent)."""
    _tell(AUTO_RESOLUTION_REMINDER, requester(ticket), ticket, entry)


def ticket_auto_resolved(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(TICKET_AUTO_RESOLVED, requester(ticket), ticket, entry)


def survey_invitation(ticket: Ticket) -> None:
    """Optional, and sent only while the survey is open and unanswered (checked when sent)."""
    _tell(SURVEY_INVITATION, requester(ticket), ticket, None)


def ticket_unattended(ticket: Ticket, entry: TimelineEntry) -> None:
    """The ticket landed (opened, or assigned to a group without an agent) in a group with no
    active member, so nobody on the team was told: the active supervisors are, but never the
    author of the change (checked again when sent: someone may have taken it since)."""
    _tell(TICKET_UNATTENDED, supervisors(entry.actor_id), ticket, entry)
