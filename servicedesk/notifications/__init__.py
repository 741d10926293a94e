"""E-mail notifications of ticket events: who is told what, the templates, the Celery task."""
