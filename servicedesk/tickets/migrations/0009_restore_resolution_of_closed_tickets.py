"""Give back their resolution date to the tickets that were resolved and then closed (issue 14).

Until this release, closing a resolved ticket (automatically after PORTAL_REOPEN_DAYS, or a
supervisor's "Fechar chamado") cleared its resolved_at, so the reports counted one resolved
ticket fewer and left it out of the resolution times, and its survey closed early. The
timeline still knows: a ticket whose closing entry says it came from "resolved" was resolved
at its latest entry that moved it to "resolved".

One UPDATE over the closed tickets without a resolution date (the index on status and
resolved_at finds them), each reading its own entries through the (ticket, created_at) index.
Nothing to undo: the reverse keeps the dates.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def restore(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TimelineEntry = apps.get_model("tickets", "TimelineEntry")
    entries = TimelineEntry.objects.filter(ticket=OuterRef("pk"))
    closed_when_resolved = entries.filter(payload__from="resolved", payload__to="closed")
    resolution = (
        entries.filter(payload__to="resolved").order_by("-created_at", "-pk").values("created_at")
    )
    Ticket.objects.filter(status="closed", resolved_at__isnull=True).filter(
        Exists(closed_when_resolved)
    ).update(resolved_at=Subquery(resolution[:1]))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_ticket_search_document")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop, elidable=True)]
