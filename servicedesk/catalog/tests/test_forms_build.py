import pytest

from servicedesk.accounts.cpf import CPF_INVALID_CHECK_DIGITS
from servicedesk.catalog.forms_build import (
    CHOICE_INVALID,
    DATE_INVALID,
    NUMBER_INVALID,
    REQUIRED,
    build_subject_form,
)
from servicedesk.catalog.models import FieldType
from servicedesk.catalog.tests.factories import FormFieldFactory, SubjectFactory
from servicedesk.core.cnpj import CNPJ_INVALID_CHECK_DIGITS, CNPJ_INVALID_FORMAT
from servicedesk.core.formfields import PHONE_INVALID

pytestmark = pytest.mark.django_db


def one_field(**spec):
    field = FormFieldFactory(**spec)
    return field, build_subject_form(field.subject)


def errors_for(form_class, field, value):
    data = {} if value is None else {field.form_name: value}
    form = form_class(data)
    form.is_valid()
    return form.errors.get(field.form_name, [])


def answer_of(form_class, field, value):
    form = form_class({field.form_name: value})
    assert form.is_valid(), form.errors
    return form.answers()[0]["value"]


# --- every field type ------------------------------------------------------------------------


def test_short_text_required_and_length():
    field, form = one_field(field_type=FieldType.SHORT_TEXT, required=True)
    assert errors_for(form, field, "") == [REQUIRED]
    assert errors_for(form, field, "x" * 301)
    assert answer_of(form, field, "  Texto  ") == "Texto"


def test_long_text_keeps_line_breaks():
    field, form = one_field(field_type=FieldType.LONG_TEXT)
    assert answer_of(form, field, "linha 1\nlinha 2") == "linha 1\nlinha 2"
    assert errors_for(form, field, "") == []


def test_pattern_with_its_own_message():
    field, form = one_field(
        field_type=FieldType.SHORT_TEXT,
        pattern=r"\d{8}",
        pattern_message="Informe o número da emenda com 8 dígitos.",
    )
    assert errors_for(form, field, "2026-001") == ["Informe o número da emenda com 8 dígitos."]
    assert errors_for(form, field, "202600011") == ["Informe o número da emenda com 8 dígitos."]
    assert answer_of(form, field, "20260001") == "20260001"


@pytest.mark.parametrize(("typed", "shown"), [("1234,56", "1234,56"), ("10", "10"), ("0,5", "0,5")])
def test_number_accepts_brazilian_decimal_comma(typed, shown):
    field, form = one_field(field_type=FieldType.NUMBER)
    assert answer_of(form, field, typed) == shown


def test_number_refuses_text():
    field, form = one_field(field_type=FieldType.NUMBER)
    assert errors_for(form, field, "doze") == [NUMBER_INVALID]


@pytest.mark.parametrize("typed", ["2026-12-31", "31/12/2026"])
def test_date_in_iso_or_brazilian_form(typed):
    field, form = one_field(field_type=FieldType.DATE)
    assert answer_of(form, field, typed) == "31/12/2026"


def test_date_refuses_impossible_dates():
    field, form = one_field(field_type=FieldType.DATE)
    assert errors_for(form, field, "31/02/2026") == [DATE_INVALID]


def test_single_choice_accepts_only_listed_options():
    field, form = one_field(field_type=FieldType.SINGLE_CHOICE, choices="Sim\nNão", required=True)
    assert answer_of(form, field, "Não") == "Não"
    assert errors_for(form, field, "Talvez") == [CHOICE_INVALID]
    assert errors_for(form, field, "") == [REQUIRED]


def test_single_choice_with_many_options_is_a_drop_down():
    _field, form = one_field(field_type=FieldType.SINGLE_CHOICE, choices="\n".join("ABCDEFG"))
    html = str(form())
    assert "<select" in html and "Selecione uma opção" in html


def test_multiple_choice():
    field, form = one_field(field_type=FieldType.MULTIPLE_CHOICE, choices="RP6\nRP7\nRP8")
    assert answer_of(form, field, ["RP6", "RP8"]) == "RP6, RP8"
    assert errors_for(form, field, ["RP9"]) == [CHOICE_INVALID]


def test_checkbox_required_means_checked():
    field, form = one_field(field_type=FieldType.CHECKBOX, required=True)
    assert errors_for(form, field, None) == [REQUIRED]
    assert answer_of(form, field, "on") == "Sim"


def test_optional_checkbox_unchecked_reads_no():
    _field, form = one_field(field_type=FieldType.CHECKBOX)
    form_instance = form({})
    assert form_instance.is_valid()
    assert form_instance.answers()[0]["value"] == "Não"


def test_email():
    field, form = one_field(field_type=FieldType.EMAIL)
    assert errors_for(form, field, "fulano@")
    assert answer_of(form, field, "fulano@economia.gov.br") == "fulano@economia.gov.br"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("61 2020-4000", "(61) 2020-4000"),
        ("(61) 99999-0000", "(61) 99999-0000"),
        ("+55 61 3333 4444", "(61) 3333-4444"),
    ],
)
def test_phone_with_area_code(typed, shown):
    field, form = one_field(field_type=FieldType.PHONE)
    assert answer_of(form, field, typed) == shown


@pytest.mark.parametrize("typed", ["2020-4000", "0612020400", "61 2020-40000a", "123"])
def test_phone_refusals(typed):
    field, form = one_field(field_type=FieldType.PHONE)
    assert errors_for(form, field, typed) == [PHONE_INVALID]


def test_cpf_field():
    field, form = one_field(field_type=FieldType.CPF)
    assert answer_of(form, field, "52998224725") == "529.982.247-25"
    assert errors_for(form, field, "529.982.247-24") == [CPF_INVALID_CHECK_DIGITS]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("11.222.333/0001-81", "11.222.333/0001-81"),
        ("11222333000181", "11.222.333/0001-81"),
        ("12.ABC.345/01DE-35", "12.ABC.345/01DE-35"),
    ],
)
def test_cnpj_numeric_and_alphanumeric(typed, shown):
    field, form = one_field(field_type=FieldType.CNPJ)
    assert answer_of(form, field, typed) == shown


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("11.222.333/0001-82", CNPJ_INVALID_CHECK_DIGITS),
        ("1122233300018", CNPJ_INVALID_FORMAT),
        ("00000000000000", CNPJ_INVALID_CHECK_DIGITS),
    ],
)
def test_cnpj_refusals(typed, message):
    field, form = one_field(field_type=FieldType.CNPJ)
    assert errors_for(form, field, typed) == [message]


# --- conditions -------------------------------------------------------------------------------


@pytest.fixture
def conditional_subject():
    subject = SubjectFactory()
    moment = FormFieldFactory(
        subject=subject,
        label="Quando ocorre?",
        field_type=FieldType.SINGLE_CHOICE,
        choices="Ao salvar\nOutro",
        required=True,
        order=1,
    )
    other = FormFieldFactory(
        subject=subject,
        label="Qual outro momento?",
        field_type=FieldType.LONG_TEXT,
        required=True,
        order=2,
        condition_field=moment,
        condition_value="Outro",
    )
    urgent = FormFieldFactory(
        subject=subject,
        label="Impede prazo legal?",
        field_type=FieldType.CHECKBOX,
        order=3,
    )
    deadline = FormFieldFactory(
        subject=subject,
        label="Prazo",
        field_type=FieldType.DATE,
        required=True,
        order=4,
        condition_field=urgent,
        condition_value="Sim",
    )
    return subject, moment, other, urgent, deadline


def test_a_shown_conditional_field_is_required(conditional_subject):
    subject, moment, other, urgent, deadline = conditional_subject
    form = build_subject_form(subject)({moment.form_name: "Outro", urgent.form_name: "on"})
    assert not form.is_valid()
    assert form.errors[other.form_name] == [REQUIRED]
    assert form.errors[deadline.form_name] == [REQUIRED]


def test_a_hidden_field_is_not_required_and_its_value_is_dropped(conditional_subject):
    subject, moment, other, _urgent, deadline = conditional_subject
    data = {
        moment.form_name: "Ao salvar",
        other.form_name: "enviado mesmo oculto",
        deadline.form_name: "não é data",
    }
    form = build_subject_form(subject)(data)
    assert form.is_valid(), form.errors
    labels = [answer["label"] for answer in form.answers()]
    assert labels == ["Quando ocorre?", "Impede prazo legal?"]
    assert form.answers()[1]["value"] == "Não"


def test_answers_keep_field_order_and_show_conditional_values(conditional_subject):
    subject, moment, other, urgent, deadline = conditional_subject
    data = {
        moment.form_name: "Outro",
        other.form_name: "Ao importar",
        urgent.form_name: "on",
        deadline.form_name: "2026-12-15",
    }
    form = build_subject_form(subject)(data)
    assert form.is_valid(), form.errors
    assert [(a["label"], a["value"]) for a in form.answers()] == [
        ("Quando ocorre?", "Outro"),
        ("Qual outro momento?", "Ao importar"),
        ("Impede prazo legal?", "Sim"),
        ("Prazo", "15/12/2026"),
    ]


def test_condition_on_a_hidden_controller_hides_the_dependent_too():
    subject = SubjectFactory()
    first = FormFieldFactory(
        subject=subject, field_type=FieldType.SINGLE_CHOICE, choices="A\nB", order=1
    )
    second = FormFieldFactory(
        subject=subject,
        field_type=FieldType.SINGLE_CHOICE,
        choices="C\nD",
        order=2,
        condition_field=first,
        condition_value="A",
    )
    third = FormFieldFactory(
        subject=subject,
        field_type=FieldType.SHORT_TEXT,
        required=True,
        order=3,
        condition_field=second,
        condition_value="C",
    )
    form = build_subject_form(subject)({first.form_name: "B", second.form_name: "C"})
    assert form.is_valid(), form.errors
    assert third.form_name not in form.cleaned_data


def test_condition_on_multiple_choice_means_the_option_is_among_the_chosen():
    subject = SubjectFactory()
    kinds = FormFieldFactory(
        subject=subject, field_type=FieldType.MULTIPLE_CHOICE, choices="RP6\nRP7", order=1
    )
    detail = FormFieldFactory(
        subject=subject,
        field_type=FieldType.SHORT_TEXT,
        required=True,
        order=2,
        condition_field=kinds,
        condition_value="rp7",
    )
    form = build_subject_form(subject)({kinds.form_name: ["RP6", "RP7"]})
    assert not form.is_valid()
    assert form.errors[detail.form_name] == [REQUIRED]


def test_rendered_conditional_field_carries_its_rule_for_the_browser(conditional_subject):
    from django.template.loader import render_to_string

    subject, moment, _other, *_ = conditional_subject
    html = render_to_string(
        "catalog/partials/_subject_form_fields.html", {"form": build_subject_form(subject)()}
    )
    assert f'data-show-when="{moment.form_name}" data-show-value="Outro"' in html
    assert "Preencha somente se a resposta acima for “Outro”." in html


def test_answers_snapshot_does_not_change_when_the_form_changes_later(conditional_subject):
    subject, moment, *_ = conditional_subject
    form = build_subject_form(subject)({moment.form_name: "Ao salvar"})
    assert form.is_valid()
    snapshot = form.answers()
    moment.label = "Novo rótulo"
    moment.save()
    assert snapshot[0]["label"] == "Quando ocorre?"
