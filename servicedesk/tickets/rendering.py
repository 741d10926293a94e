"""HTML of the ticket screens that templates made slow.

The ticket's timeline as HTML, kept in the cache per ticket and kind of viewer until the
ticket, its entries, files or solutions change (tickets/signals.py): rendering it is most of
a ticket page's time (about 0.2 ms an entry), and people reread far more than they write.

What it shows must depend only on that key: the ticket, who may see private notes, and the
portal or desk wording. Relative times ("há 3 horas") are written by the page's script for
that reason, and a timeline with the approve/refuse forms (a CSRF token of the user's) is
never cached."""

from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone

from servicedesk.core import readcache
from servicedesk.core.links import number_url

from .selectors import RequesterRow, requester_rows, sees_private_notes, timeline_for
from .signals import requester_version, ticket_version
from .templatetags.tickets_tags import status_badge, time_html

TEMPLATE = "tickets/partials/_timeline.html"


def timeline_html(request, context: dict) -> SafeString:
    """The timeline of `context["ticket"]` for `request.user`, rendered with the page's
    context (desk_view, can_decide and the decision forms)."""
    ticket = context["ticket"]

    def render() -> str:
        entries = timeline_for(user=request.user, ticket=ticket)
        return render_to_string(TEMPLATE, {**context, "entries": entries}, request)

    if context.get("can_decide"):
        return mark_safe(render())  # noqa: S308 - a template's output
    viewer = "mesa" if context.get("desk_view") else "portal"
    notes = "com-notas" if sees_private_notes(request.user, ticket) else "publico"
    html = readcache.cached(
        f"timeline:{ticket.pk}:{viewer}:{notes}",
        depends_on=(ticket_version(ticket.pk), "catalog", "people"),
        compute=render,
    )
    return mark_safe(html)  # noqa: S308 - a template's output, cached


# The columns of "Meus chamados": they head the table (tickets/ticket_list.html) and label each
# cell (data-label), which phones show beside each value once the rows become cards.
REQUESTER_COLUMNS = ("Número", "Status", "Card", "Assunto", "Última atualização")
_NUMBER, _STATUS, _CARD, _SUBJECT, _UPDATED = (
    f'data-label="{escape(label)}"' for label in REQUESTER_COLUMNS
)


def _requester_row(row: RequesterRow, ticket_url, zone) -> str:
    return (
        f'<tr><td {_NUMBER}><a href="{ticket_url(row.number)}">nº {row.number}</a></td>'
        f"<td {_STATUS}>{status_badge(row)}</td><td {_CARD}>{escape(row.card)}</td>"
        f"<td {_SUBJECT}>{escape(row.subject)}</td>"
        f"<td {_UPDATED}>{time_html(row.last_interaction_at, zone)}</td></tr>\n"
    )


def requester_rows_html(rows: list[RequesterRow]) -> SafeString:
    """The rows of "Meus chamados", written in Python like the desk's (desk/rendering.py):
    a template per row was half of the page's rendering."""
    ticket_url, zone = number_url("tickets:detail"), get_current_timezone()
    rows_html = "".join(_requester_row(row, ticket_url, zone) for row in rows)
    return mark_safe(rows_html)  # noqa: S308 - names escaped, badge and times safe HTML


def requester_page_html(user, page, *, status: str, searched: bool) -> SafeString:
    """One page of "Meus chamados". Without a search, kept until one of the requester's own
    tickets or the catalog changes: people come back to this list to follow their tickets,
    and nobody else's activity touches it."""

    def render() -> str:
        return requester_rows_html(requester_rows(page.object_list))

    if searched:
        return mark_safe(render())  # noqa: S308 - escaped in requester_rows_html
    html = readcache.cached(
        f"requester-rows:{user.pk}:{status or 'todos'}:{page.number}",
        depends_on=(requester_version(user.pk), "catalog"),
        compute=render,
    )
    return mark_safe(html)  # noqa: S308 - escaped in requester_rows_html, cached
