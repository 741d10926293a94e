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
from servicedesk.outbox.services import record_many

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


def active_members(group_id: int | None) -> list[int]:
    """The ids of a support group's active members, in name order (one query; none without
    a group)."""
    if group_id is None:
        return []
    return list(
        User.objects.filter(support_groups=group_id, is_active=True)
        .order_by("full_name", "pk")
        .values_list("pk", flat=True)
    )


def team(ticket: Ticket, actor_id: int | None, first_choice: User | None = None) -> list[int]:
    """Whoever works the ticket; with nobody (active) assigned, its group's active members."""
    for person in (first_choice, ticket.assigned_agent):
        if person is not None and person.is_active:
            return _others([person], actor_id)
    return [pk for pk in active_members(ticket.assigned_group_id) if pk != actor_id]


def supervisors(actor_id: int | None = None) -> list[int]:
    return _others(
        User.objects.filter(is_supervisor=True, is_active=True).order_by("full_name", "pk"),
        actor_id,
    )


Told = tuple[str, list[int], dict]


def _event(topic: str, recipients: list[int], ticket: Ticket, entry: TimelineEntry | None) -> Told:
    data = {"ticket_id": ticket.pk}
    if entry is not None:
        data["entry_id"] = entry.pk
    return (topic, recipients, data)


def _tell(ticket: Ticket, entry: TimelineEntry | None, *events: Told) -> None:
    """Record the events of one change in one write."""
    if entry is not None and entry.is_private:  # defence in depth: no service asks
        logger.error("refusing to tell anyone of private entry %s", entry.pk)
        return
    record_many(events)


def ticket_opened(ticket: Ticket, entry: TimelineEntry) -> None:
    """A confirmation to the requester (the one event that tells its own author), and the
    news to the receiving group; when nobody active is in that group, to the supervisors
    instead (issue 14), so that someone hears of it."""
    members = [] if ticket.assigned_agent_id else active_members(ticket.assigned_group_id)
    events = [
        _event(TICKET_OPENED, requester(ticket), ticket, entry),
        _event(
            TICKET_OPENED_TEAM,
            team(ticket, entry.actor_id)
            if ticket.assigned_agent_id
            else [pk for pk in members if pk != entry.actor_id],
            ticket,
            entry,
        ),
    ]
    if not ticket.assigned_agent_id and not members:
        events.append(_event(TICKET_UNATTENDED, supervisors(entry.actor_id), ticket, entry))
    _tell(ticket, entry, *events)


def ticket_assigned(ticket: Ticket, entry: TimelineEntry) -> None:
    """Left to a group with no agent and nobody active in it, the ticket reaches nobody on
    the team: the active supervisors hear of it, never the author of the change (checked
    again when sent: someone may have taken it since). Issue 14."""
    if ticket.assigned_agent_id is None and not active_members(ticket.assigned_group_id):
        _tell(ticket, entry, _event(TICKET_UNATTENDED, supervisors(entry.actor_id), ticket, entry))


def agent_replied(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(ticket, entry, _event(AGENT_REPLIED, requester(ticket, entry.actor_id), ticket, entry))


def requester_replied(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(ticket, entry, _event(REQUESTER_REPLIED, team(ticket, entry.actor_id), ticket, entry))


def information_requested(ticket: Ticket, entry: TimelineEntry) -> None:
    recipients = requester(ticket, entry.actor_id)
    _tell(ticket, entry, _event(INFORMATION_REQUESTED, recipients, ticket, entry))


def solution_proposed(ticket: Ticket, entry: TimelineEntry) -> None:
    recipients = requester(ticket, entry.actor_id)
    _tell(ticket, entry, _event(SOLUTION_PROPOSED, recipients, ticket, entry))


def solution_decided(
    ticket: Ticket, entry: TimelineEntry, solution: Solution, *, approved: bool
) -> None:
    """The solution's author hears the outcome even if someone else works the ticket now;
    once approved, the requester is invited to the survey (sent only while it is open)."""
    topic = SOLUTION_APPROVED if approved else SOLUTION_REFUSED
    events = [
        _event(topic, team(ticket, entry.actor_id, first_choice=solution.author), ticket, entry)
    ]
    if approved:
        events.append(_event(SURVEY_INVITATION, requester(ticket), ticket, None))
    _tell(ticket, entry, *events)


def ticket_reopened(ticket: Ticket, entry: TimelineEntry) -> None:
    _tell(ticket, entry, _event(TICKET_REOPENED, team(ticket, entry.actor_id), ticket, entry))


def auto_resolution_reminder(ticket: Ticket, entry: TimelineEntry) -> None:
    """Optional: the requester may turn reminders off (checked when it is sent)."""
    _tell(ticket, entry, _event(AUTO_RESOLUTION_REMINDER, requester(ticket), ticket, entry))


def ticket_auto_resolved(ticket: Ticket, entry: TimelineEntry) -> None:
    """Resolved by the periodic job: the requester is told, and invited to the survey."""
    _tell(
        ticket,
        entry,
        _event(TICKET_AUTO_RESOLVED, requester(ticket), ticket, entry),
        _event(SURVEY_INVITATION, requester(ticket), ticket, None),
    )
