"""Every change to a ticket bumps the versions of the cached reads that show it: the desk's
tab counts ("tickets"), its requester's counters and its own timeline (tickets/rendering.py).
Entries, files and solutions bump their ticket's timeline."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from servicedesk.core import readcache

from .models import Attachment, Solution, Ticket, TimelineEntry


def requester_version(user_id: int) -> str:
    return f"requester:{user_id}"


def ticket_version(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


@receiver(post_save, sender=Ticket)
@receiver(post_delete, sender=Ticket)
def ticket_changed(instance: Ticket, **kwargs) -> None:
    readcache.bump("tickets", requester_version(instance.requester_id), ticket_version(instance.pk))


# Files are stored with bulk_create, which sends no signal, but always with their entry, in
# its transaction: the entry's bump at commit covers them.
@receiver(post_save, sender=TimelineEntry)
@receiver(post_delete, sender=TimelineEntry)
@receiver(post_save, sender=Attachment)
@receiver(post_delete, sender=Attachment)
@receiver(post_save, sender=Solution)
@receiver(post_delete, sender=Solution)
def timeline_changed(instance, **kwargs) -> None:
    readcache.bump(ticket_version(instance.ticket_id))
