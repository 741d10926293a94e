"""The requester's ticket screens: "Meus chamados" and the ticket page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from ..selectors import (
    counter_items,
    ticket_counters_for_requester,
    ticket_get_visible,
    ticket_list_for_requester,
)
from ..status import Status

PAGE_SIZE = 20


@login_required
def ticket_list(request):
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    tickets = ticket_list_for_requester(user=request.user, status=status or None)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("pagina"))
    counters = counter_items(ticket_counters_for_requester(user=request.user), current=status)
    context = {"page": page, "counters": counters, "status": status}
    return render(request, "tickets/ticket_list.html", context)


@login_required
def ticket_detail(request, number: int):
    ticket = ticket_get_visible(user=request.user, number=number)
    attachments = ticket.attachments.filter(entry__kind="opened")
    return render(
        request, "tickets/ticket_detail.html", {"ticket": ticket, "attachments": attachments}
    )
