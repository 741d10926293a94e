import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.admin import PREVIEW_LABEL
from servicedesk.catalog.demo import seed_catalog
from servicedesk.catalog.forms_build import REQUIRED
from servicedesk.catalog.models import (
    FIELD_CONDITION_OTHER_SUBJECT,
    FieldType,
    FormField,
    Service,
    Subject,
    SupportGroup,
)

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>")
INLINE_STYLE = re.compile(r"<style|\sstyle=")


class FormValues(HTMLParser):
    """What a browser would submit from the page as rendered, before any script runs."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value") or "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = [attrs.get("value") or ""]
        elif tag == "select" and name:
            self._select = name
            self.data[name] = []
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that Django writes right after <textarea>.
            self.data[self._textarea][0] = self.data[self._textarea][0].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_values(html: str) -> dict[str, list[str]]:
    parser = FormValues()
    parser.feed(html)
    # The empty templates that the inline scripts clone are never part of the formsets.
    return {name: value for name, value in parser.data.items() if "__prefix__" not in name}


@pytest.fixture
def catalog():
    seed_catalog()


@pytest.fixture
def admin_client(client, supervisor):
    client.force_login(supervisor)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:catalog_{obj._meta.model_name}_change", args=[obj.pk])


def preview_url(subject: Subject) -> str:
    return reverse("admin:catalog_subject_preview", args=[subject.pk])


@pytest.mark.parametrize(
    "name", ["supportgroup", "category", "service", "subject"], ids=lambda name: name
)
def test_catalog_admin_pages_render(admin_client, catalog, name):
    changelist = admin_client.get(reverse(f"admin:catalog_{name}_changelist"), {"q": "SIOP"})
    add = admin_client.get(reverse(f"admin:catalog_{name}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 200


def test_card_change_page_nests_subjects_and_fields_without_inline_code(admin_client, catalog):
    service = Service.objects.get(slug="siop-emendas-parlamentares")
    subject = service.subjects.get(name="Erro ao cadastrar ou alterar emenda")

    response = admin_client.get(change_url(service))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="subjects-0-fields-0-label"' in html
    assert "O erro impede o cumprimento de prazo legal?" in html
    assert f'href="{preview_url(subject)}"' in html
    assert PREVIEW_LABEL in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)


def test_condition_choices_are_the_fields_of_the_same_subject(admin_client, catalog):
    service = Service.objects.get(slug="siop-emendas-parlamentares")
    subject = service.subjects.get(name="Erro ao cadastrar ou alterar emenda")
    other = FormField.objects.exclude(subject=subject).first()

    html = admin_client.get(change_url(subject)).content.decode()

    select = re.search(r'<select name="fields-0-condition_field".*?</select>', html, re.S)
    offered = set(map(int, re.findall(r'<option value="(\d+)"', select.group())))
    assert offered == set(subject.fields.values_list("pk", flat=True))
    assert other.pk not in offered


def test_saving_a_card_adds_a_subject_with_a_field_through_the_nested_inlines(
    admin_client, catalog
):
    service = Service.objects.get(slug="acesso-e-perfis-do-siop")
    group = SupportGroup.objects.get(name="Atendimento SIOP")
    data = form_values(admin_client.get(change_url(service)).content.decode())
    index = int(data["subjects-TOTAL_FORMS"][0])
    new = f"subjects-{index}"
    data["subjects-TOTAL_FORMS"] = [str(index + 1)]
    data.update(
        {
            f"{new}-name": ["Histórico de perfis concedidos"],
            f"{new}-support_group": [str(group.pk)],
            f"{new}-description": ["Quem concedeu cada perfil e quando."],
            f"{new}-order": [str(index + 1)],
            f"{new}-is_active": ["on"],
            f"{new}-id": [""],
            f"{new}-service": [str(service.pk)],
            f"{new}-fields-TOTAL_FORMS": ["1"],
            f"{new}-fields-INITIAL_FORMS": ["0"],
            f"{new}-fields-MIN_NUM_FORMS": ["0"],
            f"{new}-fields-MAX_NUM_FORMS": ["1000"],
            f"{new}-fields-0-label": ["CPF do usuário consultado"],
            f"{new}-fields-0-field_type": [FieldType.CPF],
            f"{new}-fields-0-required": ["on"],
            f"{new}-fields-0-order": ["1"],
            f"{new}-fields-0-id": [""],
            f"{new}-fields-0-subject": [""],
        }
    )
    subjects_before = set(service.subjects.values_list("pk", flat=True))
    fields_before = set(FormField.objects.values_list("pk", flat=True))

    response = admin_client.post(change_url(service), data)

    assert response.status_code == 302, response.context and [
        form.errors for formset in response.context["inline_admin_formsets"] for form in formset
    ]
    subject = service.subjects.get(name="Histórico de perfis concedidos")
    assert subject.support_group == group
    assert [(f.label, f.field_type, f.required) for f in subject.fields.all()] == [
        ("CPF do usuário consultado", FieldType.CPF, True)
    ]
    # Nothing else was created or lost along the way.
    assert set(service.subjects.values_list("pk", flat=True)) == subjects_before | {subject.pk}
    assert set(FormField.objects.values_list("pk", flat=True)) - fields_before == {
        subject.fields.get().pk
    }


def test_a_condition_on_a_field_of_another_subject_is_refused(admin_client, catalog):
    subject = Subject.objects.get(name="Não consigo entrar no SIOP")
    foreign = FormField.objects.exclude(subject=subject).first()
    data = form_values(admin_client.get(change_url(subject)).content.decode())
    data["fields-1-condition_field"] = [str(foreign.pk)]
    data["fields-1-condition_value"] = ["Sim"]

    response = admin_client.post(change_url(subject), data)

    assert response.status_code == 200
    assert "Faça uma escolha válida" in response.content.decode()
    assert subject.fields.get(label="Mensagem exibida").condition_field is None


def test_conditions_are_checked_by_the_model_rules_when_saved(admin_client, catalog):
    subject = Subject.objects.get(name="Não consigo entrar no SIOP")
    how, message = subject.fields.all()[:2]
    url = change_url(subject)
    data = form_values(admin_client.get(url).content.decode())
    # A condition on a later field is refused by FormField.clean()...
    data["fields-0-condition_field"] = [str(message.pk)]
    data["fields-0-condition_value"] = ["Sim"]

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert FIELD_CONDITION_OTHER_SUBJECT in refused.content.decode()

    # ...and one on an earlier field of the same subject is saved.
    data = form_values(admin_client.get(url).content.decode())
    data["fields-1-condition_field"] = [str(how.pk)]
    data["fields-1-condition_value"] = ["Com CPF e senha"]

    assert admin_client.post(url, data).status_code == 302
    message.refresh_from_db()
    assert (message.condition_field, message.condition_value) == (how, "Com CPF e senha")


def test_subject_change_page_links_to_the_preview(admin_client, catalog):
    subject = Subject.objects.get(name="Solicitar ou alterar perfil de acesso")

    html = admin_client.get(change_url(subject)).content.decode()

    assert f'href="{preview_url(subject)}"' in html


def test_preview_renders_the_form_as_requesters_see_it(admin_client, catalog):
    subject = Subject.objects.get(name="Erro ao cadastrar ou alterar emenda")

    response = admin_client.get(preview_url(subject))

    html = response.content.decode()
    assert response.status_code == 200
    assert "SIOP Emendas Parlamentares" in html
    assert subject.name in html
    assert subject.description in html
    for field in subject.fields.all():
        assert field.label in html
    assert REQUIRED not in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)


def test_preview_test_mode_shows_errors_and_writes_nothing(admin_client, catalog):
    subject = Subject.objects.get(name="Erro ao cadastrar ou alterar emenda")
    number = subject.fields.get(label="Número da emenda")

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(preview_url(subject), {"testar": "1", number.form_name: "123"})

    html = response.content.decode()
    assert response.status_code == 200
    assert REQUIRED in html
    assert number.pattern_message in html
    assert 'value="123"' in html
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_preview_test_mode_with_valid_answers_shows_the_snapshot(admin_client, catalog):
    subject = Subject.objects.get(name="Dúvidas gerais sobre o SIOP")
    text = subject.fields.get()

    response = admin_client.get(
        preview_url(subject), {"testar": "1", text.form_name: "Como consulto o PLOA?"}
    )

    html = response.content.decode()
    assert "Todas as regras foram atendidas." in html
    assert "Como consulto o PLOA?" in html
    assert REQUIRED not in html


def test_preview_of_an_unknown_subject_is_404(admin_client, catalog):
    assert admin_client.get("/admin/catalog/subject/999999/preview/").status_code == 404


def test_staff_without_view_permission_cannot_preview(client, catalog):
    client.force_login(UserFactory(is_staff=True))
    subject = Subject.objects.first()

    assert client.get(preview_url(subject)).status_code == 403


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "requester"])
def test_non_staff_are_sent_to_the_admin_login(client, requester, catalog, logged_in):
    if logged_in:
        client.force_login(requester)
    subject = Subject.objects.first()

    for url in (preview_url(subject), change_url(subject.service)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# --- Groups nobody is in (issue 14, item 5) ------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def staffed(catalog):
    """The demo catalog with an active agent in each of its groups, as seed_demo leaves it."""
    for group in SupportGroup.objects.all():
        group.members.add(UserFactory())


@pytest.fixture
def empty_group(staffed):
    group = SupportGroup.objects.create(name="Plantão de fim de semana")
    group.members.add(UserFactory(is_active=False))
    return group


def test_the_subject_form_marks_groups_without_active_members(admin_client, empty_group):
    subject = Subject.objects.get(name="Não consigo entrar no SIOP")

    html = admin_client.get(change_url(subject)).content.decode()

    select = re.search(r'<select name="support_group".*?</select>', html, re.S).group()
    assert ">Plantão de fim de semana (sem técnicos ativos)</option>" in select
    assert ">Atendimento SIOP</option>" in select
    assert "Um grupo marcado “sem técnicos ativos” não avisa ninguém da equipe." in html


def test_routing_a_subject_to_a_group_without_active_members_warns(admin_client, empty_group):
    subject = Subject.objects.get(name="Não consigo entrar no SIOP")
    data = form_values(admin_client.get(change_url(subject)).content.decode())
    data["support_group"] = [str(empty_group.pk)]

    response = admin_client.post(change_url(subject), data, follow=True)

    subject.refresh_from_db()
    assert subject.support_group == empty_group  # a warning, not a refusal
    assert (
        "O grupo “Plantão de fim de semana” não tem técnicos ativos, e é ele quem recebe os "
        "chamados de “Não consigo entrar no SIOP”: ninguém da equipe será avisado desses "
        "chamados (os supervisores recebem um e-mail a cada um). Inclua técnicos ativos no grupo "
        "ou escolha outro grupo para o assunto."
    ) in messages_of(response)


def test_saving_a_subject_routed_to_a_group_with_members_does_not_warn(admin_client, staffed):
    subject = Subject.objects.get(name="Não consigo entrar no SIOP")
    data = form_values(admin_client.get(change_url(subject)).content.decode())

    response = admin_client.post(change_url(subject), data, follow=True)

    assert not any("técnicos ativos" in message for message in messages_of(response))


def test_removing_the_last_active_member_of_a_group_warns_with_its_subjects(admin_client, staffed):
    group = SupportGroup.objects.get(name="Infraestrutura e incidentes")
    group.members.set([UserFactory(full_name="Irene Infraestrutura Costa")])
    subjects = sorted(group.subjects.filter(is_active=True).values_list("name", flat=True))
    data = form_values(admin_client.get(change_url(group)).content.decode())
    data["members"] = []

    response = admin_client.post(change_url(group), data, follow=True)

    assert list(group.members.all()) == []
    (warning,) = [m for m in messages_of(response) if "não tem técnicos ativos" in m]
    assert warning.startswith("O grupo “Infraestrutura e incidentes” não tem técnicos ativos")
    for name in subjects:
        assert f"“{name}”" in warning


def test_a_card_whose_subjects_route_to_an_empty_group_warns(admin_client, empty_group):
    service = Service.objects.get(slug="acesso-e-perfis-do-siop")
    data = form_values(admin_client.get(change_url(service)).content.decode())
    data["subjects-0-support_group"] = [str(empty_group.pk)]
    name = data["subjects-0-name"][0]

    response = admin_client.post(change_url(service), data, follow=True)

    assert any(
        message.startswith("O grupo “Plantão de fim de semana” não tem técnicos ativos")
        and f"“{name}”" in message
        for message in messages_of(response)
    )


def test_the_group_list_shows_how_many_active_members_each_has(admin_client, empty_group):
    html = admin_client.get(reverse("admin:catalog_supportgroup_changelist")).content.decode()
    row = re.search(r"<tr>.*?Plantão de fim de semana.*?</tr>", html, re.S).group()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[-2:] == ["1", "nenhum"]
