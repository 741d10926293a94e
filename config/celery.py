"""Celery application: `celery -A config worker` and `celery -A config beat`."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
def worker_broker_timeouts(conf=None, **kwargs):
    """A worker waits longer for the broker than a web request does: the request's publish is
    bounded by PORTAL_BROKER_TIMEOUT_SECONDS (the outbox keeps what it could not hand over),
    but a worker whose acknowledgement times out during a short Redis stall keeps the message
    as unacknowledged and, its prefetch window full, stops taking new ones. Its socket
    timeout, PORTAL_WORKER_BROKER_TIMEOUT_SECONDS, outlasts such a stall."""
    from django.conf import settings

    seconds = settings.PORTAL_WORKER_BROKER_TIMEOUT_SECONDS
    conf.broker_transport_options = {
        **conf.broker_transport_options,
        "socket_timeout": seconds,
        "socket_connect_timeout": min(seconds, 10),
    }
