"""PostgreSQL's side of accent-insensitive search (issue 14, servicedesk/core/search.py).

- the `unaccent` extension, for `lower(unaccent(...))` in the `folded_contains` lookup;
- the text search configuration `portuguese_unaccent`: a copy of `portuguese` whose words
  with letters outside ASCII go through the `unaccent` dictionary before the Portuguese
  stemmer. "dotação" and "dotacao" become the same lexeme; "emendas" still finds "emenda".
  Words in plain ASCII need no unaccenting and keep the Portuguese mapping.

`unaccent` is a trusted extension (PostgreSQL 13+): the owner of the database may create it
without being a superuser. Where the migration's user may not, a DBA runs
`CREATE EXTENSION unaccent;` in the portal's database first (README, "Upgrading"); this
migration then finds it and goes on. SQLite needs nothing: the portal registers its own
function on each connection.
"""

from django.db import migrations

CONFIG = "portuguese_unaccent"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
        exists = cursor.fetchone()
    if not exists:
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = portuguese)")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
            "ALTER MAPPING FOR word, hword, hword_part WITH unaccent, portuguese_stem"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other software in the database may use it.
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_submission")]

    operations = [migrations.RunPython(create, drop)]
