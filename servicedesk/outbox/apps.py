"""The transactional outbox (servicedesk/outbox/services.py says how it works)."""

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "servicedesk.outbox"
    label = "outbox"
    verbose_name = "Caixa de saída (notificações)"

    def ready(self) -> None:
        # The task registered with the Celery app now, in every process, not first when a
        # relay imports it (an app closed and reopened meanwhile would not know it).
        from . import tasks  # noqa: F401
