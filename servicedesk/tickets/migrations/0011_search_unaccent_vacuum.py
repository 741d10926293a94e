"""VACUUM the tickets table that 0009 rewrote (PostgreSQL only).

A rewritten table has no visibility map: until the next VACUUM, the desk's counts and lists
cannot be answered from their indexes alone and read the table (the desk's tab counts went
from an index-only scan to a sequential scan, ~100 ms at 1M). Autovacuum gets there in time;
this does it at once. VACUUM cannot run inside a transaction, hence a migration of its own,
not atomic. Seconds on a million tickets.
"""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("VACUUM (ANALYZE) tickets_ticket")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0010_search_unaccent")]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop)]
