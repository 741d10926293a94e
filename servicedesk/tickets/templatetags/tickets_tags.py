"""Template helpers for tickets and their timeline."""

from django import template

from .. import status as lifecycle

register = template.Library()


@register.filter
def state_label(status: str | None, waiting_on: str | None = None) -> str:
    """pt-BR label of a stored status code, e.g. in a status-change entry."""
    if not status:
        return "—"
    state = (lifecycle.Status(status), lifecycle.WaitingOn(waiting_on) if waiting_on else None)
    return lifecycle.state_label(state)


@register.simple_tag
def entry_role(entry, ticket) -> str:
    """Who wrote an entry, as the requester reads it: "requerente" or "equipe"."""
    if entry.actor_id is None:
        return "sistema"
    return "requerente" if entry.actor_id == ticket.requester_id else "equipe"


@register.simple_tag
def status_change_labels(payload: dict) -> tuple[str, str]:
    """(from, to) labels of a status-change entry; tolerant of older payloads."""
    return (
        state_label(payload.get("from"), payload.get("from_waiting_on")),
        state_label(payload.get("to"), payload.get("to_waiting_on")),
    )
