"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from servicedesk.core.bodies import complete_bodies

# Request bodies are counted as they arrive, so one cut short is refused
# (servicedesk/core/bodies.py).
application = complete_bodies(get_wsgi_application())
