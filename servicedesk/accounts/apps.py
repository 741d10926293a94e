"""Accounts: CPF users, login and lock-out, the SIOP account mirror."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "servicedesk.accounts"
    label = "accounts"
    verbose_name = "Contas"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the cached reads in step with writes)
