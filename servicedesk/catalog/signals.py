"""Changes to the catalog and its groups bump the "catalog" version of cached reads (the
home's cards, the desk's filters, what each agent's desk shows)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from servicedesk.core import readcache

from .models import Category, Service, Subject, SupportGroup


@receiver(post_save, sender=Category)
@receiver(post_save, sender=Service)
@receiver(post_save, sender=Subject)
@receiver(post_save, sender=SupportGroup)
@receiver(post_delete, sender=Category)
@receiver(post_delete, sender=Service)
@receiver(post_delete, sender=Subject)
@receiver(post_delete, sender=SupportGroup)
@receiver(m2m_changed, sender=SupportGroup.members.through)
@receiver(m2m_changed, sender=SupportGroup.services.through)
def catalog_changed(**kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        readcache.bump("catalog")
