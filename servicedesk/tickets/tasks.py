"""Celery tasks of the tickets app: thin, named after their service, safe to run twice."""

from celery import shared_task

from .services.automation import automatic_transitions_run


@shared_task(name="tickets.automatic_transitions_run")
def automatic_transitions_run_task() -> dict[str, int]:
    return automatic_transitions_run().as_dict()
