from django.urls import path

from .views import queue

app_name = "desk"

urlpatterns = [
    path("", queue.queue, name="queue"),
]
