"""The ticket's answers as a stored tsvector for the desk's full-text search (issue 10).

With only an index on the expression, a common word made PostgreSQL read its whole GIN
posting list (200,000 tickets at 1M: 75 ms, growing with the table). With the document
stored, checking a row is cheap, so for a common word the search walks the tickets newest
first and stops at the 1,001st match (7 ms at 1M); a rare word still goes through the GIN
index. Not a model field: Django would select ~600 bytes of it with every ticket.

PostgreSQL only, like 0005; the expression is the one 0005 indexed, which this replaces.
Adding a stored generated column rewrites the table under an exclusive lock: about three
minutes for a million tickets on the benchmark's machine, so run it in a maintenance window.
"""

from django.db import migrations

DOCUMENT = "to_tsvector('portuguese'::regconfig, COALESCE((answers)::text, ''::text))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS search_document tsvector "
        f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS tickets_ticket_search_document_idx "
        "ON tickets_ticket USING gin (search_document)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS tickets_ticket_answers_fts_idx")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS tickets_ticket_answers_fts_idx "
        f"ON tickets_ticket USING gin ({DOCUMENT})"
    )
    schema_editor.execute("ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_document")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_desk_card_status_opened_index")]

    operations = [migrations.RunPython(create, drop)]
