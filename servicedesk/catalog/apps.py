"""The service catalog: category tabs, service cards, subjects and their forms."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "servicedesk.catalog"
    label = "catalog"
    verbose_name = "Catálogo de serviços"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the cached reads in step with writes)
