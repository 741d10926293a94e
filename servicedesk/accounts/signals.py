"""Changes to accounts (names, roles) bump the "people" version of cached reads (the desk's
list of agents, what a supervisor's desk shows). Logins, which only stamp last_login, don't."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from servicedesk.core import readcache

from .models import User

_NOT_SHOWN = frozenset({"last_login", "password"})


@receiver(post_save, sender=User)
def user_saved(update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= _NOT_SHOWN:
        return
    readcache.bump("people")


@receiver(post_delete, sender=User)
def user_deleted(**kwargs) -> None:
    readcache.bump("people")
