"""The folded_contains lookup (core/search.py) on the database of the run, and the admin's
searches that use it: accents and case never decide what is found (issue 14, item 2)."""

import re

import pytest
from django.urls import reverse

from servicedesk.accounts.models import User
from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.tests.factories import (
    ServiceFactory,
    SubjectFactory,
    SupportGroupFactory,
)
from servicedesk.core.search import json_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("joao", True),
        ("JOÃO", True),
        ("conceição", True),
        ("CONCEICAO ARAUJO", True),
        ("joão_", False),  # _ is a letter to find, not LIKE's wildcard
        ("%", False),
        ("maria", False),
    ],
)
def test_folded_contains_ignores_accents_and_case_on_both_sides(typed, found):
    user = UserFactory(full_name="João Conceição Araújo")
    UserFactory(full_name="Pedro Lima")
    matched = User.objects.filter(full_name__folded_contains=typed)
    assert list(matched) == ([user] if found else [])


def test_json_text_decodes_the_escapes_sqlite_stores():
    stored = '[{"label": "Descri\\u00e7\\u00e3o", "value": ["dota\\u00e7\\u00e3o", 3]}]'
    assert json_text(stored) == "Descrição dotação"
    assert json_text("not json") == "not json"


@pytest.mark.parametrize(
    ("changelist", "typed", "shown"),
    [
        ("admin:accounts_user_changelist", "joao araujo", "João Conceição Araújo"),
        ("admin:catalog_service_changelist", "ORCAMENTARIAS", "Emendas Orçamentárias"),
        ("admin:catalog_subject_changelist", "credito", "Crédito suplementar"),
        ("admin:catalog_supportgroup_changelist", "infraestrutura", "Infraestrutura e redes"),
    ],
)
def test_the_admin_searches_ignore_accents_and_case(client, supervisor, changelist, typed, shown):
    UserFactory(full_name="João Conceição Araújo")
    UserFactory(full_name="Pedro Lima")
    SubjectFactory(
        name="Crédito suplementar", service=ServiceFactory(title="Emendas Orçamentárias")
    )
    SubjectFactory(name="Acesso", service=ServiceFactory(title="Outros"))
    SupportGroupFactory(name="Infraestrutura e redes")
    SupportGroupFactory(name="Atendimento")
    client.force_login(supervisor)
    html = client.get(reverse(changelist), {"q": typed}).content.decode()
    # The paginator counts what the search found: this object, not the others.
    assert re.search(r'<p class="paginator">\s*1 ', html), typed
    assert shown in html
