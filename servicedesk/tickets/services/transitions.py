"""Applying a lifecycle event to a locked ticket: the one place a status is ever assigned."""

from datetime import datetime

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError

from .. import status as lifecycle
from ..models import EntryKind, Ticket, TimelineEntry


def transition_apply(
    *,
    ticket: Ticket,
    event: lifecycle.Event,
    role: lifecycle.Role,
    actor: User | None,
    now: datetime,
) -> bool:
    """Move `ticket` (locked by the caller, inside its transaction) as the table says and write
    the system entry of the change. Returns whether the state changed. Refusals become an
    ApplicationError with the table's pt-BR message."""
    before = ticket.state
    try:
        after = lifecycle.target_state(
            event, before, role, has_assignee=ticket.assigned_agent_id is not None
        )
    except lifecycle.TransitionRefused as refused:
        raise ApplicationError(refused.message, code="transition_refused") from None
    if after == before:
        return False
    status, waiting_on = after
    ticket.status = status
    ticket.waiting_on = waiting_on or ""
    if status == lifecycle.Status.RESOLVED:
        ticket.resolved_at = now
    if status == lifecycle.Status.CLOSED:
        ticket.closed_at = now
    TimelineEntry.objects.create(
        ticket=ticket,
        kind=EntryKind.STATUS_CHANGE,
        actor=actor,
        payload={
            "event": event.value,
            "from": before[0].value if before[0] else None,
            "from_waiting_on": before[1].value if before[1] else None,
            "to": status.value,
            "to_waiting_on": waiting_on.value if waiting_on else None,
        },
    )
    return True
