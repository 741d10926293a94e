"""Celery tasks of the tickets app: thin, named after their service, safe to run twice."""

from celery import shared_task

from .services.attachments import inline_images_purge
from .services.automation import automatic_transitions_run


@shared_task(name="tickets.automatic_transitions_run")
def automatic_transitions_run_task() -> dict[str, int]:
    return automatic_transitions_run().as_dict()


@shared_task(name="tickets.inline_images_purge")
def inline_images_purge_task() -> int:
    return inline_images_purge()
