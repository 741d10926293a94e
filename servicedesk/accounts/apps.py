"""Accounts: CPF users, login and lock-out, the SIOP account mirror."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "servicedesk.accounts"
    label = "accounts"
    verbose_name = "Contas"
