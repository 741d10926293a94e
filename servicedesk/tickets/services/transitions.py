"""Applying a lifecycle event to a locked ticket: the one place a status is ever assigned.

Every action on a ticket is one call here and leaves exactly one timeline entry, which also
records the status change when there is one."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError

from .. import status as lifecycle
from ..models import EntryKind, Ticket, TimelineEntry
from ..permissions import NOT_A_PARTICIPANT, role_on_ticket
from ..richtext import CleanBody

# What counts as the team's first answer to the requester (reports: time to first response).
FIRST_RESPONSE_EVENTS = {
    lifecycle.Event.AGENT_REPLY,
    lifecycle.Event.REQUEST_INFO,
    lifecycle.Event.PROPOSE_SOLUTION,
}


@dataclass
class Action:
    """A ticket locked for one action, with the actor's role on it."""

    ticket: Ticket
    actor: User | None
    role: lifecycle.Role
    now: datetime


def lock_for_action(*, ticket: Ticket, actor: User | None, system: bool = False) -> Action:
    """Lock the ticket row (call inside transaction.atomic) and resolve the actor's role.
    Another request acting on the same ticket waits here until this one commits, then sees
    the new state — so a second, now impossible, transition is refused instead of applied."""
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("requester", "assigned_agent", "assigned_group")
        .get(pk=ticket.pk)
    )
    if system:
        role = lifecycle.Role.SYSTEM
    else:
        role = role_on_ticket(actor, locked)
        if role is None:
            raise ApplicationError(NOT_A_PARTICIPANT, code="not_participant")
    return Action(ticket=locked, actor=actor, role=role, now=timezone.now())


def ensure_allowed(action: Action, event: lifecycle.Event) -> None:
    """Refuse early (before side steps such as an implicit assignment), in pt-BR."""
    try:
        lifecycle.find(event, action.ticket.state, action.role)
    except lifecycle.TransitionRefused as refused:
        raise ApplicationError(refused.message, code="transition_refused") from None


def _stamp(ticket: Ticket, status: lifecycle.Status, now: datetime) -> None:
    """The dates a move to `status` writes. Resolving dates the resolution; closing dates the
    closing and keeps the resolution (a resolved ticket that closes stays resolved in every
    report, and its survey stays open); only a move back to work (reopening) undoes it. The
    first response (transition_apply) and the reminder (automation) are never undone."""
    if status == lifecycle.Status.RESOLVED:
        ticket.resolved_at = now
    elif status == lifecycle.Status.CLOSED:
        ticket.closed_at = now
    elif lifecycle.CATEGORY[status] != lifecycle.Category.DONE:
        ticket.resolved_at = None  # reopened: resolved again later, dated then


def transition_apply(
    action: Action,
    event: lifecycle.Event,
    *,
    kind: str = EntryKind.STATUS_CHANGE,
    body: CleanBody | None = None,
    is_private: bool = False,
    payload: dict | None = None,
) -> TimelineEntry:
    """Check `event` against the table for the action's role, move the ticket, and write the
    entry. Refusals become an ApplicationError with the table's pt-BR message."""
    ticket = action.ticket
    assert transaction.get_connection().in_atomic_block, "lock_for_action() first"
    before = ticket.state
    try:
        after = lifecycle.target_state(
            event, before, action.role, has_assignee=ticket.assigned_agent_id is not None
        )
    except lifecycle.TransitionRefused as refused:
        raise ApplicationError(refused.message, code="transition_refused") from None
    entry_payload = {"event": event.value, **(payload or {})}
    if after != before:
        status, waiting_on = after
        ticket.status = status
        ticket.waiting_on = waiting_on or ""
        _stamp(ticket, status, action.now)
        entry_payload.update(
            {
                "from": before[0].value if before[0] else None,
                "from_waiting_on": before[1].value if before[1] else None,
                "to": status.value,
                "to_waiting_on": waiting_on.value if waiting_on else None,
            }
        )
    entry = TimelineEntry.objects.create(
        ticket=ticket,
        kind=kind,
        actor=action.actor,
        body_html=body.html if body else "",
        body_text=body.text if body else "",
        is_private=is_private,
        payload=entry_payload,
    )
    # Only what the requester did or was publicly told restarts their clock (status.py): a
    # private note or a reassignment must not postpone an announced automatic resolution.
    if lifecycle.restarts_requester_clock(event):
        ticket.last_interaction_at = action.now
    if (
        ticket.first_response_at is None
        and action.role in (lifecycle.Role.AGENT, lifecycle.Role.SUPERVISOR)
        and event in FIRST_RESPONSE_EVENTS
    ):
        ticket.first_response_at = action.now
    ticket.save()
    return entry
