"""Project configuration. The Celery app is loaded with Django so that tasks queued by the
web processes use the same settings."""

from .celery import app as celery_app

__all__ = ["celery_app"]
