"""The agents' desk: queues and the ticket workbench. It owns no ticket state: every change
goes through tickets.services."""

from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "servicedesk.desk"
    label = "desk"
    verbose_name = "Mesa de atendimento"
