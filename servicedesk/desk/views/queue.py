"""The desk's queues (placeholder until the queue page lands)."""

from django.shortcuts import render

from ..decorators import agent_required


@agent_required
def queue(request):
    return render(request, "desk/queue.html", {})
