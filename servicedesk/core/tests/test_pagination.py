import pytest

from servicedesk.core.pagination import KnownCountPaginator
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_a_known_count_runs_no_count_query(django_assert_num_queries):
    TicketFactory.create_batch(3)
    with django_assert_num_queries(1):  # the page itself
        page = KnownCountPaginator(Ticket.objects.order_by("pk"), 2, known_count=3).page(2)
        assert len(page.object_list) == 1
    assert page.paginator.num_pages == 2


def test_without_it_the_paginator_counts():
    TicketFactory.create_batch(3)
    assert KnownCountPaginator(Ticket.objects.order_by("pk"), 2).count == 3
