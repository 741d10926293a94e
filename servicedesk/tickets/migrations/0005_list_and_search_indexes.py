"""Indexes for the desk's queues, sorts and full-text search (issue 10, checked with EXPLAIN
on a million tickets: see bench/results/explain-1m.txt).

PostgreSQL only (GIN, expressions, partial indexes): the SQLite of development has no
such tables to speak of. Expressions match selectors.py exactly, so the planner uses them.
"""

from django.db import migrations

DONE = "status NOT IN ('resolved', 'closed')"
INDEXES = [
    # "Todos" and every queue in the default order (most recent activity first): the page is
    # the first 25 entries of an index walk, never a sort of the whole table.
    ("tickets_ticket_recent_idx", "tickets_ticket (last_interaction_at DESC, number DESC)"),
    # "Sem atribuição": open tickets nobody took, in the default order.
    (
        "tickets_ticket_unassigned_idx",
        "tickets_ticket (last_interaction_at DESC, number DESC) "
        f"WHERE assigned_agent_id IS NULL AND {DONE}",
    ),
    # "Meus grupos" and the group filter, open tickets.
    (
        "tickets_ticket_group_open_idx",
        f"tickets_ticket (assigned_group_id, last_interaction_at DESC) WHERE {DONE}",
    ),
    # "Meus" and the agent filter.
    (
        "tickets_ticket_agent_recent_idx",
        "tickets_ticket (assigned_agent_id, last_interaction_at DESC)",
    ),
    # Sort by opening date ("Aberto em") and the date filters.
    ("tickets_ticket_opened_idx", "tickets_ticket (created_at DESC, number DESC)"),
    # Full-text search: the answers of the form and the text of the timeline.
    (
        "tickets_ticket_answers_fts_idx",
        "tickets_ticket USING gin "
        "(to_tsvector('portuguese'::regconfig, COALESCE((answers)::text, ''::text)))",
    ),
    (
        "tickets_entry_body_fts_idx",
        "tickets_timelineentry USING gin "
        "(to_tsvector('portuguese'::regconfig, COALESCE(body_text, ''::text)))",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_ticket_first_response_at_ticket_reminder_sent_at_and_more")]

    operations = [migrations.RunPython(create, drop)]
