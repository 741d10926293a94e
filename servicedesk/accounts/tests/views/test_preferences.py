"""'Minhas preferências': turning the optional e-mails off and on."""

import pytest
from django.urls import reverse

from servicedesk.accounts.views import PREFERENCES_SAVED

pytestmark = pytest.mark.django_db

URL = "/conta/preferencias/"


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_is_in_the_user_menu_and_shows_the_checkbox_checked(client, requester):
    client.force_login(requester)
    html = client.get(reverse("core:home")).content.decode()
    assert f'href="{URL}" role="menuitem"' in html and "Minhas preferências" in html
    page = client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<div class="br-checkbox">' in html
    assert 'name="email_optional_notifications"' in html and "checked" in html
    assert requester.email in html
    assert "respostas da equipe" in html


def test_turning_optional_e_mails_off_and_on(client, requester):
    client.force_login(requester)
    response = client.post(URL, {}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert PREFERENCES_SAVED in response.content.decode()
    requester.refresh_from_db()
    assert requester.email_optional_notifications is False
    assert (
        "checked"
        not in response.content.decode()
        .split('name="email_optional_notifications"')[1]
        .split(">")[0]
    )

    client.post(URL, {"email_optional_notifications": "on"})
    requester.refresh_from_db()
    assert requester.email_optional_notifications is True


def test_without_an_e_mail_the_page_says_so(client, requester):
    requester.email = ""
    requester.save()
    client.force_login(requester)
    assert "Não há e-mail cadastrado" in client.get(URL).content.decode()
