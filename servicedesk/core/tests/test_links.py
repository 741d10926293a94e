import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from servicedesk.core.links import PAGE_LINKS, number_url, page_links


def test_a_number_url_is_the_reversed_url():
    for viewname in ("tickets:detail", "desk:ticket"):
        url = number_url(viewname)
        for number in (1, 7, 987, 10_000_001):
            assert url(number) == reverse(viewname, args=[number])


def test_the_page_links_follow_the_script_prefix():
    """Served under a path (SCRIPT_NAME), the header and menu link under that path too."""
    try:
        for prefix in ("/", "/atendimento/"):
            set_script_prefix(prefix)
            assert page_links() == {name: reverse(view) for name, view in PAGE_LINKS.items()}
            assert page_links()["home"] == prefix
    finally:
        clear_script_prefix()


@pytest.mark.django_db
def test_the_menu_links_to_the_pages(client, requester):
    client.force_login(requester)
    html = client.get(reverse("core:home")).content.decode()
    for view in ("tickets:list", "accounts:password_change", "accounts:preferences"):
        assert f'href="{reverse(view)}"' in html
    assert f'action="{reverse("accounts:logout")}"' in html
