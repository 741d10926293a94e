"""Pieces every other app leans on: base model, errors, system checks, the home page."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "servicedesk.core"
    label = "core"
    verbose_name = "Núcleo"

    def ready(self) -> None:
        # Imported for what they register: the system checks; the folded_contains lookup
        # and SQLite's search functions.
        from . import checks, search  # noqa: F401
