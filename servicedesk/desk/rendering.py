"""The queue table's rows, written in Python: one template per row was most of a queue
page's rendering (2.1 ms of 4.8 for 25 rows; issue 10), and format_html's lazy-aware escaping
was then half of the rest. Same markup as a template would write; every text from the
database goes through `escape`, the badge and the times are already safe HTML."""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone

from servicedesk.core.links import number_url
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.templatetags.tickets_tags import status_badge, time_html

from .selectors import QueueRow

# The table's columns: (key, label, ?ordem= when first clicked, ?ordem= that reverses it).
# The labels head the columns (views/queue.py) and label each cell (data-label), which is
# what phones show beside each value once the rows become cards (portal.css).
COLUMNS = (
    ("numero", "Número", "-numero", "numero"),
    ("status", "Status", "status", "-status"),
    ("card", "Card", None, None),
    ("assunto", "Assunto", None, None),
    ("requerente", "Requerente", None, None),
    ("grupo", "Grupo", None, None),
    ("tecnico", "Técnico", None, None),
    ("aberto", "Aberto em", "-aberto", "aberto"),
    # The requester's clock (tickets/status.py): their last message or the team's last public
    # one, never a private note or a reassignment.
    ("atualizado", "Última interação", "-atualizado", "atualizado"),
)
_CELL = {key: f'data-label="{escape(label)}"' for key, label, _, _ in COLUMNS}

_WAITING_ICON = '<i class="fas {} portal-desk-waiting" aria-hidden="true"></i> '
_THIRD_PARTY_ICON = _WAITING_ICON.format("fa-hourglass-half")
_REQUESTER_ICON = _WAITING_ICON.format("fa-user-clock")
# A ticket nobody on the team was told about (issue 14): no agent, and its group has no
# active member (or it has no group).
UNATTENDED = (
    ' <span class="portal-desk-unattended"><i class="fas fa-exclamation-triangle" '
    'aria-hidden="true"></i> sem técnicos ativos</span>'
)


def _row(row: QueueRow, ticket_url, zone) -> str:
    waiting = row.status == Status.WAITING
    css = ' class="portal-desk-row-waiting"' if waiting else ""
    icon = ""
    if waiting:
        third_party = row.waiting_on == WaitingOn.THIRD_PARTY
        icon = _THIRD_PARTY_ICON if third_party else _REQUESTER_ICON
    cell = _CELL
    return (
        f'<tr{css}><th scope="row" {cell["numero"]}>'
        f'<a href="{ticket_url(row.number)}">nº {row.number}</a></th>'
        f"<td {cell['status']}>{icon}{status_badge(row, desk_view=True)}</td>"
        f"<td {cell['card']}>{escape(row.card)}</td>"
        f"<td {cell['assunto']}>{escape(row.subject)}</td>"
        f"<td {cell['requerente']}>{escape(row.requester)}</td>"
        f"<td {cell['grupo']}>{escape(row.group) or '—'}{UNATTENDED if row.unattended else ''}</td>"
        f"<td {cell['tecnico']}>{escape(row.agent) or '—'}</td>"
        f"<td {cell['aberto']}>{time_html(row.created_at, zone)}</td>"
        f"<td {cell['atualizado']}>{time_html(row.last_interaction_at, zone)}</td>"
        "</tr>\n"
    )


def queue_rows_html(rows: list[QueueRow]) -> SafeString:
    ticket_url, zone = number_url("desk:ticket"), get_current_timezone()
    rows_html = "".join(_row(row, ticket_url, zone) for row in rows)
    return mark_safe(rows_html)  # noqa: S308 - names escaped, badge and times safe HTML
