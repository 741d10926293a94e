from django.urls import reverse

from servicedesk.core.links import number_url


def test_a_number_url_is_the_reversed_url():
    for viewname in ("tickets:detail", "desk:ticket"):
        url = number_url(viewname)
        for number in (1, 7, 987, 10_000_001):
            assert url(number) == reverse(viewname, args=[number])
