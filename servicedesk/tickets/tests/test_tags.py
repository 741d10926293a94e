"""The dates of the lists, written without the template engine (tickets_tags.time_html), must
read exactly as Django's own `date` filter writes them in the portal's time zone."""

from datetime import UTC, datetime

from django.template.defaultfilters import date as date_filter
from django.utils.timezone import get_current_timezone, localtime

from servicedesk.tickets.templatetags.tickets_tags import time_html

MOMENTS = [
    datetime(2026, 1, 2, 2, 4, tzinfo=UTC),  # still the day before in Brasília
    datetime(2018, 12, 1, 12, 30, tzinfo=UTC),  # Brazil's summer time, -02:00
    datetime(2026, 11, 28, 23, 59, 59, tzinfo=UTC),
]


def test_list_dates_read_as_the_date_filter_in_the_portals_time_zone():
    for moment in MOMENTS:
        local = localtime(moment)
        expected = (
            f'<time datetime="{date_filter(local, "c")}">{date_filter(local, "d/m/Y H:i")}</time>'
        )
        assert time_html(moment, get_current_timezone()) == expected
    assert time_html(MOMENTS[0], get_current_timezone()).endswith(">01/01/2026 23:04</time>")
