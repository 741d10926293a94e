"""Links built once: a list of 20-25 tickets would reverse the same pattern for each row, and
every page the same links of its header and menu."""

import functools
from collections.abc import Callable

from django.urls import get_script_prefix, reverse

# A number no ticket has, to find where the number goes in the reversed URL.
_PLACEHOLDER = 987654321987654321


def number_url(viewname: str) -> Callable[[int], str]:
    """`url(number)` for a view that takes one number, reversed once instead of per call."""
    head, tail = reverse(viewname, args=[_PLACEHOLDER]).split(str(_PLACEHOLDER))
    return lambda number: f"{head}{int(number)}{tail}"


# The pages the header and the menu of every page link to: name in templates -> view.
PAGE_LINKS = {
    "home": "core:home",
    "my_tickets": "tickets:list",
    "password_change": "accounts:password_change",
    "preferences": "accounts:preferences",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "desk": "desk:queue",
    "reports": "desk:reports",
    "admin": "admin:index",
}


@functools.cache
def _page_links(script_prefix: str) -> dict[str, str]:
    return {name: reverse(view) for name, view in PAGE_LINKS.items()}


def page_links() -> dict[str, str]:
    """PAGE_LINKS reversed once per process (and script prefix, which reverse() includes)
    instead of by eleven `{% url %}` tags on every page: a sixth of base.html's rendering."""
    return _page_links(get_script_prefix())
