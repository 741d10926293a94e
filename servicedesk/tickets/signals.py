"""Every change to a ticket bumps the "tickets" version of cached reads (the desk's tab
counts) and its requester's own (the counters on their home page)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from servicedesk.core import readcache

from .models import Ticket


def requester_version(user_id: int) -> str:
    return f"requester:{user_id}"


@receiver(post_save, sender=Ticket)
@receiver(post_delete, sender=Ticket)
def ticket_changed(instance: Ticket, **kwargs) -> None:
    readcache.bump("tickets", requester_version(instance.requester_id))
