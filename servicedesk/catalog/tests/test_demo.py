from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.demo import (
    CATALOG,
    DEMO_AGENT_CPF,
    DEMO_INFRA_AGENT_CPF,
    INFRA_DESK,
    SIOP_DESK,
    seed_catalog,
)
from servicedesk.catalog.forms_build import REQUIRED, build_subject_form
from servicedesk.catalog.models import (
    Category,
    FieldType,
    FormField,
    Service,
    Subject,
    SupportGroup,
)

pytestmark = pytest.mark.django_db

MODELS = (SupportGroup, Category, Service, Subject, FormField)


def _pks() -> dict[str, list[int]]:
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def test_seeding_twice_keeps_the_same_rows():
    seed_catalog()
    first = _pks()
    seed_catalog()

    assert _pks() == first
    assert len(first["Service"]) == 9
    assert Category.objects.get(slug="atendimentos-especificos").order == 1
    assert Category.objects.get(slug="tratamento-de-incidentes").order == 2


def test_reseeding_restores_edited_values_without_new_rows():
    seed_catalog()
    field = FormField.objects.get(label="Número da emenda", subject__name__startswith="Erro ao")
    field.pattern = ""
    field.save()
    before = _pks()

    seed_catalog()

    field.refresh_from_db()
    assert field.pattern == r"\d{4}\d{4}"
    assert _pks() == before


def test_every_field_type_is_used():
    seed_catalog()

    used = set(FormField.objects.values_list("field_type", flat=True))
    assert used == set(FieldType.values)


def test_patterns_and_conditions_are_present():
    seed_catalog()

    assert FormField.objects.exclude(pattern="").exclude(pattern_message="").exists()
    prazo = FormField.objects.get(label="Prazo")
    assert prazo.condition_field.label == "O erro impede o cumprimento de prazo legal?"
    assert prazo.condition_value == "Sim"
    other = FormField.objects.get(condition_value="Outro")
    assert other.condition_field.label == "Em qual momento o erro ocorre?"


def test_every_card_and_subject_is_complete():
    seed_catalog()

    for service in Service.objects.prefetch_related("subjects"):
        assert 2 <= service.subjects.count() <= 4, service
    for subject in Subject.objects.all():
        assert subject.support_group_id, subject
        assert subject.description, subject
        assert subject.fields.filter(required=True, condition_field=None).exists(), subject
        assert subject.fields.filter(field_type=FieldType.LONG_TEXT, required=True).exists()
    catch_all = Service.objects.get(slug="outros-assuntos")
    assert catch_all.category.slug == "atendimentos-especificos"
    assert list(catch_all.category.services.all())[-1] == catch_all


def test_every_field_obeys_the_model_rules():
    seed_catalog()

    for field in FormField.objects.all():
        field.full_clean()


def test_the_demo_conditions_work_in_the_built_form():
    seed_catalog()
    subject = Subject.objects.get(name="Erro ao cadastrar ou alterar emenda")
    fields = {field.label: field.form_name for field in subject.fields.all()}
    data = {
        fields["Número da emenda"]: "20260001",
        fields["Tipo de emenda"]: "Individual (RP6)",
        fields["Em qual momento o erro ocorre?"]: "Outro",
        fields["O erro impede o cumprimento de prazo legal?"]: "on",
        fields["Descreva sua solicitação"]: "O botão Salvar não responde.",
    }

    form = build_subject_form(subject)(data)

    assert not form.is_valid()
    assert form.errors[fields["Descreva em que momento o erro ocorre"]] == [REQUIRED]
    assert form.errors[fields["Prazo"]] == [REQUIRED]


def test_demo_agent_joins_the_siop_desk_when_present():
    agent = UserFactory(cpf=DEMO_AGENT_CPF)

    seed_catalog()
    seed_catalog()

    assert list(SupportGroup.objects.get(name=SIOP_DESK).members.all()) == [agent]


def test_seed_demo_command_reports_the_catalog():
    out = StringIO()

    call_command("seed_demo", stdout=out)

    subjects = sum(len(card.subjects) for card in CATALOG)
    assert f"Catálogo de demonstração: 9 cards, {subjects} assuntos." in out.getvalue()
    agent_groups = SupportGroup.objects.filter(members__cpf=DEMO_AGENT_CPF)
    assert list(agent_groups.values_list("name", flat=True)) == [SIOP_DESK]


def test_every_group_of_the_demo_has_an_active_member():
    """Issue 14: "Infraestrutura e incidentes" had no member, so its tickets reached nobody."""
    call_command("seed_demo", stdout=StringIO())

    for group in SupportGroup.objects.all():
        assert group.members.filter(is_active=True).exists(), group.name
    assert SupportGroup.objects.get(members__cpf=DEMO_INFRA_AGENT_CPF).name == INFRA_DESK
    routed = set(Subject.objects.values_list("support_group__name", flat=True))
    assert routed == {SIOP_DESK, INFRA_DESK}
