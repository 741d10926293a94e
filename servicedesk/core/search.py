"""Accent- and case-insensitive text matching, the same on PostgreSQL and SQLite.

People type words without accents or in capitals ("dotacao", "DOTAÇÃO"): every search a
person runs must find "dotação" all the same (issue 14). Two tools, one per kind of search:

- `fold()` in Python, and the `folded_contains` lookup (`name__folded_contains="joao"`) for
  substring searches over short texts (names, titles): on PostgreSQL
  `lower(unaccent(column)) LIKE lower(unaccent('%joao%'))`; on SQLite the same with
  `portal_fold`, a function this module registers on every connection.
- `SEARCH_CONFIG`, the PostgreSQL text search configuration of the full-text searches: the
  Portuguese one with the `unaccent` dictionary before the Portuguese stemmer, so
  "emendas" still finds "emenda" and "dotacao" finds "dotação". Created by
  core migration 0001 (which also creates the `unaccent` extension).
"""

import json
import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField
from django.db.models.lookups import Contains

# PostgreSQL: the text search configuration (core migration 0001) of every full-text search.
SEARCH_CONFIG = "portuguese_unaccent"
# SQLite: the names of the functions registered on each connection.
SQLITE_FOLD = "portal_fold"
SQLITE_JSON_TEXT = "portal_json_text"


def fold(text: str) -> str:
    """Lower case without accents ("Orçamento" -> "orcamento"): the Python side of
    `folded_contains`, and what SQLite's `portal_fold` computes."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def json_text(document: str) -> str:
    """The strings of a JSON document joined by spaces, its escapes decoded: SQLite stores
    JSONField values with non-ASCII letters escaped ("dota\\u00e7\\u00e3o"), which no
    substring search of the raw text could match."""
    strings: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    try:
        walk(json.loads(document))
    except ValueError:
        return document
    return " ".join(strings)


class FoldedContains(Contains):
    """`field__folded_contains=text`: `text` appears in the field, ignoring case and accents
    on both sides. Not index-backed: for small tables, or rows another filter already
    narrowed down (a requester's tickets); large texts go through full-text search."""

    lookup_name = "folded_contains"

    @staticmethod
    def _fold_sql(connection) -> str:
        if connection.vendor == "postgresql":
            return "lower(unaccent(%s))"
        if connection.vendor == "sqlite":
            return f"{SQLITE_FOLD}(%s)"
        return "lower(%s)"  # no accent folding elsewhere; the portal runs on the two above

    def process_lhs(self, compiler, connection, lhs=None):
        sql, params = super().process_lhs(compiler, connection, lhs)
        return self._fold_sql(connection) % sql, params

    def process_rhs(self, qn, connection):
        # The pattern ("%dotação%", its own % and _ escaped by Contains) folded by the same
        # function as the column: the wildcards and escapes come through unchanged.
        sql, params = super().process_rhs(qn, connection)
        folded = self._fold_sql(connection) % sql
        if connection.vendor == "postgresql":
            # A sub-select runs once per query; unaccent() is only STABLE, so written
            # inline it would run again for every row (half the cost of a name search).
            folded = f"(SELECT {folded})"
        return folded, params

    def get_rhs_op(self, connection, rhs):
        # The database's own "contains" operator (SQLite's carries its ESCAPE clause).
        return connection.operators["contains"] % rhs


CharField.register_lookup(FoldedContains)
TextField.register_lookup(FoldedContains)


def _fold_or_none(value):
    return None if value is None else fold(str(value))


def _json_text_or_none(value):
    return None if value is None else json_text(str(value))


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite's side of the folding (PostgreSQL has unaccent)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(SQLITE_FOLD, 1, _fold_or_none, deterministic=True)
    connection.connection.create_function(
        SQLITE_JSON_TEXT, 1, _json_text_or_none, deterministic=True
    )


connection_created.connect(register_sqlite_functions, dispatch_uid="portal-search-functions")
