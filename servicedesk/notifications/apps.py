"""E-mail notifications of ticket events."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "servicedesk.notifications"
    label = "notifications"
    verbose_name = "Notificações por e-mail"
