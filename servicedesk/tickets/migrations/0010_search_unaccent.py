"""Accent-insensitive full-text search of the desk (issue 14): the ticket's answers document
and the timeline's text index move from the `portuguese` text search configuration to
`portuguese_unaccent` (core migration 0001), so "dotacao" finds "dotação".

PostgreSQL only, like 0005 and 0008; the expressions must match servicedesk/desk/selectors.py
exactly, so that the planner uses them.

On a large database this is slow and takes locks (README, "Upgrading"): the stored document
is a generated column, so replacing it rewrites tickets_ticket under an exclusive lock, and
the timeline's index is built anew (writes to the timeline wait meanwhile): about four
minutes for a million tickets and five million entries on a busy 2-core machine. Run it in a
maintenance window. 0010 then vacuums the rewritten table.
"""

from django.db import migrations

TICKETS_OLD = "to_tsvector('portuguese'::regconfig, COALESCE((answers)::text, ''::text))"
TICKETS_NEW = "to_tsvector('portuguese_unaccent'::regconfig, COALESCE((answers)::text, ''::text))"
ENTRIES_OLD = "to_tsvector('portuguese'::regconfig, COALESCE(body_text, ''::text))"
ENTRIES_NEW = "to_tsvector('portuguese_unaccent'::regconfig, COALESCE(body_text, ''::text))"


def _switch(schema_editor, *, tickets: str, entries: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # One ALTER TABLE, one rewrite of the table; the old document's index goes with it.
    schema_editor.execute(
        "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_document, "
        f"ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({tickets}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX tickets_ticket_search_document_idx "
        "ON tickets_ticket USING gin (search_document)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS tickets_entry_body_fts_idx")
    schema_editor.execute(
        f"CREATE INDEX tickets_entry_body_fts_idx ON tickets_timelineentry USING gin ({entries})"
    )
    # The new column has no statistics yet: without them PostgreSQL guessed 25 matches for a
    # word found in 200,000 tickets and read them all (1.3 s instead of 20 ms at 1M). The
    # entries' expression index gets its statistics the same way. A few seconds each.
    schema_editor.execute("ANALYZE tickets_ticket")
    schema_editor.execute("ANALYZE tickets_timelineentry")


def forwards(apps, schema_editor):
    _switch(schema_editor, tickets=TICKETS_NEW, entries=ENTRIES_NEW)


def backwards(apps, schema_editor):
    _switch(schema_editor, tickets=TICKETS_OLD, entries=ENTRIES_OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_unaccent_text_search_configuration"),
        ("tickets", "0009_restore_resolution_of_closed_tickets"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
