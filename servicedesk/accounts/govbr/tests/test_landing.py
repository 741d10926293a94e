"""An agent logging in with gov.br lands on the desk, like with a password (issue 14)."""

import pytest
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import SupportGroupFactory

from .test_views import govbr_login

pytestmark = pytest.mark.django_db


def test_an_agent_lands_on_the_desk_after_a_govbr_login(client, govbr):
    agent = UserFactory(full_name="Tiago Técnico")
    SupportGroupFactory().members.add(agent)
    response = govbr_login(client, agent.cpf)
    assert response.status_code == 302
    assert response.url == reverse("desk:queue")
