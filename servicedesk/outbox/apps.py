"""The transactional outbox (servicedesk/outbox/services.py says how it works)."""

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "servicedesk.outbox"
    label = "outbox"
    verbose_name = "Caixa de saída (notificações)"
