"""E-mail notifications of ticket events."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "servicedesk.notifications"
    label = "notifications"
    verbose_name = "Notificações por e-mail"

    def ready(self) -> None:
        from .events import register_handlers

        register_handlers()  # the outbox delivers each ticket topic as these e-mails
