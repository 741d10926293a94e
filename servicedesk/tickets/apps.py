"""Tickets: the lifecycle, the timeline and attachments."""

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "servicedesk.tickets"
    label = "tickets"
    verbose_name = "Chamados"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the cached reads in step with writes)
