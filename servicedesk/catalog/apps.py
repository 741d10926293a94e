"""The service catalog: category tabs, service cards, subjects and their forms."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "servicedesk.catalog"
    label = "catalog"
    verbose_name = "Catálogo de serviços"
