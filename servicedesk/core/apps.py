"""Pieces every other app leans on: base model, errors, system checks, the home page."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "servicedesk.core"
    label = "core"
    verbose_name = "Núcleo"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
