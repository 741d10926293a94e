"""Template helpers for tickets and their timeline."""

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

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


@dataclass(frozen=True)
class AssignmentChange:
    """What an assignment changed, each part "" when it did not change: the agent now and
    before, the group now and before. `unknown` holds the old labels of an entry that could
    not be told apart (shown whole, as it was written)."""

    agent: str = ""
    agent_before: str = ""
    group: str = ""
    group_before: str = ""
    unknown: tuple[str, str] | None = None


_LABEL_WITH_GROUP = re.compile(r"^(?P<agent>.+) \((?P<group>[^()]+)\)$")


def _names_from_label(label: str) -> tuple[str, str] | None:
    """(agent, group) of an old "Agent (Group)" label; None when the label is a single name,
    which may be an agent or a group."""
    match = _LABEL_WITH_GROUP.match(label)
    return (match["agent"], match["group"]) if match else None


def _change_from_labels(before: str, after: str) -> AssignmentChange:
    """The change of an entry written with labels only (payload from_label/to_label)."""
    now, then = _names_from_label(after), _names_from_label(before)
    if now and then:  # an agent with a group before and after
        agent, group = now
        agent_before, group_before = then
        return AssignmentChange(
            agent=agent if agent != agent_before else "",
            agent_before=agent_before if agent != agent_before else "",
            group=group if group != group_before else "",
            group_before=group_before if group != group_before else "",
        )
    if now and not before:
        return AssignmentChange(agent=now[0], group=now[1])
    if now and before == now[1]:  # the group's ticket taken by one of its agents
        return AssignmentChange(agent=now[0])
    return AssignmentChange(unknown=(after, before))


@register.simple_tag
def assignment_change(payload: dict) -> AssignmentChange:
    """What an assignment entry changed, for partials/entries/_assignment.html: "Atribuído a
    X" when the group stays, the group when it changes, both when both do (issue 14)."""
    if "to_agent_name" not in payload:
        return _change_from_labels(payload.get("from_label", ""), payload.get("to_label", ""))
    agent, agent_before = payload["to_agent_name"], payload.get("from_agent_name", "")
    group, group_before = payload.get("to_group_name", ""), payload.get("from_group_name", "")
    agent_changed = agent != agent_before
    group_changed = group != group_before
    return AssignmentChange(
        agent=agent if agent_changed else "",
        agent_before=agent_before if agent_changed else "",
        group=group if group_changed else "",
        group_before=group_before if group_changed else "",
    )


def time_html(value: datetime, zone: tzinfo) -> str:
    """`<time datetime="…">dd/mm/aaaa hh:mm</time>` of an aware datetime in `zone`, for the
    lists written in Python (desk/rendering.py, tickets/rendering.py), which look the zone up
    once per page: with the lookup and strftime, a date was ~14 µs, and a desk page has 50.
    Digits and ISO separators only: nothing to escape."""
    local = value.astimezone(zone)
    shown = f"{local.day:02d}/{local.month:02d}/{local.year} {local.hour:02d}:{local.minute:02d}"
    return f'<time datetime="{local.isoformat()}">{shown}</time>'


@register.filter
def entry_time(value, relative: str = "before"):
    """An entry's `<time>`: the date and time, which the page's script (portal.js) precedes
    with ("before") or replaces by ("only") how long ago it was, e.g. "há 3 horas"; the
    title keeps the date. Left to the browser so that a cached timeline never goes stale
    (tickets/rendering.py); without JavaScript the date and time are shown."""
    local = template_localtime(value)
    shown = local.strftime("%d/%m/%Y %H:%M")
    return format_html(
        '<time datetime="{}" title="{}" data-relative="{}">{}</time>',
        local.isoformat(),
        shown,
        relative,
        shown,
    )


@register.filter
def status_badge(ticket, desk_view=False):
    """A ticket's status as a gov.br DS tag; while it waits, on whom: "você" for its
    requester, "requerente" on the desk. A filter rather than an included template: the
    lists show one per row."""
    label = ticket.get_status_display()
    if ticket.status == lifecycle.Status.WAITING and ticket.waiting_on:
        if ticket.waiting_on == lifecycle.WaitingOn.REQUESTER:
            label = f"{label} · {'requerente' if desk_view else 'você'}"
        else:
            label = f"{label} · terceiros"
    # Plain escape and an f-string: the lists write one per row (see desk/rendering.py).
    return mark_safe(  # noqa: S308 - both values escaped
        f'<span class="br-tag portal-status portal-status-{escape(ticket.status)}">'
        f"{escape(label)}</span>"
    )
