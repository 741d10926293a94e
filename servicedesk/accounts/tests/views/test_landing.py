"""Where people land after logging in (issue 14): agents and supervisors on the desk, their
workspace; requesters on the home page; a `next` within the site always wins."""

import pytest
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SupportGroupFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("core:home")
DESK = reverse("desk:queue")


@pytest.fixture
def group_member(password):
    user = UserFactory(full_name="Tiago Técnico")
    SupportGroupFactory().members.add(user)
    return user


@pytest.fixture
def desk_supervisor(password):
    return UserFactory(full_name="Sara Supervisora", is_supervisor=True)


def login(client, user, password, **extra):
    return client.post(LOGIN, {"cpf": user.cpf, "password": password, **extra})


@pytest.mark.parametrize(("who", "lands_on"), [("group_member", DESK), ("desk_supervisor", DESK)])
def test_agents_and_supervisors_land_on_the_desk(client, request, password, who, lands_on):
    response = login(client, request.getfixturevalue(who), password)
    assert response.status_code == 302
    assert response.url == lands_on
    assert client.get(response.url).status_code == 200


def test_requesters_land_on_the_home_page(client, requester, password):
    response = login(client, requester, password)
    assert response.url == HOME


def test_a_next_within_the_site_wins_over_the_desk(client, group_member, password):
    response = login(client, group_member, password, next="/chamados/")
    assert response.url == "/chamados/"
    response = login(client, group_member, password, next="https://example.com/")
    assert response.url == DESK


def test_an_agent_already_logged_in_who_opens_the_login_page_goes_to_the_desk(client, group_member):
    client.force_login(group_member)
    assert client.get(LOGIN).url == DESK
    assert client.get(LOGIN, {"next": "/chamados/"}).url == "/chamados/"
