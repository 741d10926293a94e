"""Turns a subject's form fields into a Django form that checks every rule on the server.

Conditions ("show only when field X has value V") are enforced here too: a hidden field is
never required and its value is dropped, whatever the browser sent.
"""

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats

from servicedesk.accounts.cpf import format_cpf
from servicedesk.core.cnpj import format_cnpj
from servicedesk.core.formfields import CnpjField, CpfField, PhoneField, format_phone

from .models import PATTERN_TYPES, FieldType, FormField, Subject

REQUIRED = "Este campo é obrigatório."
NUMBER_INVALID = "Informe um número, por exemplo 1234,56."
DATE_INVALID = "Informe uma data válida, por exemplo 31/12/2026."
CHOICE_INVALID = "Escolha uma das opções da lista."
# Radio buttons read better than a drop-down up to this many options.
MAX_RADIO_OPTIONS = 5
_TRUTHY = {"sim", "true", "1", "marcado", "yes", "on"}


def _pattern_validator(spec: FormField):
    def validate(value: str) -> None:
        if value and not re.fullmatch(spec.pattern, value):
            raise ValidationError(spec.pattern_message, code="pattern")

    return validate


def _build_field(spec: FormField) -> forms.Field:
    common = {"label": spec.label, "help_text": spec.help_text, "required": spec.required}
    if spec.condition_field_id:
        # Required-ness of conditional fields is decided in SubjectForm.clean().
        common["required"] = False
    kind = spec.field_type
    if kind == FieldType.SHORT_TEXT:
        field = forms.CharField(max_length=300, **common)
    elif kind == FieldType.LONG_TEXT:
        field = forms.CharField(
            max_length=10_000, widget=forms.Textarea(attrs={"rows": 5}), **common
        )
    elif kind == FieldType.NUMBER:
        field = forms.DecimalField(
            max_digits=18,
            decimal_places=4,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            error_messages={"invalid": NUMBER_INVALID},
            **common,
        )
    elif kind == FieldType.DATE:
        field = forms.DateField(
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": DATE_INVALID},
            **common,
        )
    elif kind == FieldType.SINGLE_CHOICE:
        options = [(option, option) for option in spec.choice_list]
        if len(options) <= MAX_RADIO_OPTIONS:
            widget = forms.RadioSelect
        else:
            widget = forms.Select
            options = [("", "Selecione uma opção"), *options]
        field = forms.ChoiceField(
            choices=options,
            widget=widget,
            error_messages={"invalid_choice": CHOICE_INVALID},
            **common,
        )
    elif kind == FieldType.MULTIPLE_CHOICE:
        field = forms.MultipleChoiceField(
            choices=[(option, option) for option in spec.choice_list],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": CHOICE_INVALID},
            **common,
        )
    elif kind == FieldType.CHECKBOX:
        field = forms.BooleanField(**common)
    elif kind == FieldType.EMAIL:
        field = forms.EmailField(max_length=254, **common)
    elif kind == FieldType.PHONE:
        field = PhoneField(**common)
    elif kind == FieldType.CPF:
        field = CpfField(**common)
    elif kind == FieldType.CNPJ:
        field = CnpjField(**common)
    else:  # pragma: no cover - FieldType is a closed set
        raise ValueError(f"unknown field type {kind!r}")
    if spec.pattern and kind in PATTERN_TYPES:
        field.validators.append(_pattern_validator(spec))
    field.spec = spec
    field.show_when = None
    field.marked_required = spec.required  # conditional fields are required only when shown
    return field


def display_value(spec: FormField, value) -> str:
    """How an answer reads in the snapshot, the timeline and e-mails."""
    if value is None or value == "" or value == []:
        return ""
    kind = spec.field_type
    if kind == FieldType.CHECKBOX:
        return "Sim" if value else "Não"
    if kind == FieldType.MULTIPLE_CHOICE:
        return ", ".join(value)
    if kind == FieldType.DATE and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if kind == FieldType.NUMBER and isinstance(value, Decimal):
        plain = (
            value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        )
        return formats.number_format(plain)
    if kind == FieldType.CPF:
        return format_cpf(value)
    if kind == FieldType.CNPJ:
        return format_cnpj(value)
    if kind == FieldType.PHONE:
        return format_phone(value)
    return str(value)


def _is_empty(value) -> bool:
    return value in (None, "", [], False)


def condition_met(controller: FormField, value, expected: str) -> bool:
    expected_folded = expected.strip().casefold()
    if controller.field_type == FieldType.CHECKBOX:
        return bool(value) == (expected_folded in _TRUTHY)
    if controller.field_type == FieldType.MULTIPLE_CHOICE:
        return expected_folded in {option.casefold() for option in value or []}
    return display_value(controller, value).strip().casefold() == expected_folded


class SubjectForm(forms.Form):
    """Base of every built form; `specs` holds the subject's fields in order."""

    specs: Sequence[FormField] = ()
    # The browser's own "required" checks would fire on hidden conditional fields and paint
    # untouched radios red; the server reports missing answers in pt-BR instead.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in self.specs:
            if spec.required:
                self.fields[spec.form_name].widget.attrs["aria-required"] = "true"
        by_pk = {spec.pk: spec for spec in self.specs}
        for spec in self.specs:
            controller = by_pk.get(spec.condition_field_id)
            if controller is not None:
                self.fields[spec.form_name].show_when = (controller.form_name, spec.condition_value)

    def _visibility(self) -> dict[int, bool]:
        by_pk = {spec.pk: spec for spec in self.specs}
        visible: dict[int, bool] = {}
        for spec in self.specs:  # ordered, and a condition always points to an earlier field
            controller = by_pk.get(spec.condition_field_id)
            if controller is None:
                visible[spec.pk] = True
                continue
            value = self.cleaned_data.get(controller.form_name)
            visible[spec.pk] = visible.get(controller.pk, False) and condition_met(
                controller, value, spec.condition_value
            )
        return visible

    def clean(self):
        cleaned = super().clean()
        visible = self._visibility()
        for spec in self.specs:
            name = spec.form_name
            if not visible[spec.pk]:
                cleaned.pop(name, None)
                self._errors.pop(name, None)
            elif (
                spec.condition_field_id
                and spec.required
                and name not in self._errors
                and _is_empty(cleaned.get(name))
            ):
                self.add_error(name, ValidationError(REQUIRED, code="required"))
        return cleaned

    def answers(self) -> list[dict]:
        """The snapshot stored on the ticket: visible fields, in order, as label and value."""
        snapshot = []
        for spec in self.specs:
            if spec.form_name not in self.cleaned_data:
                continue
            value = self.cleaned_data[spec.form_name]
            snapshot.append(
                {
                    "field": spec.pk,
                    "label": spec.label,
                    "type": spec.field_type,
                    "value": display_value(spec, value),
                }
            )
        return snapshot


def build_subject_form(
    subject: Subject, specs: Sequence[FormField] | None = None
) -> type[SubjectForm]:
    """A form class for the subject. Pass `specs` when the fields are already loaded."""
    if specs is None:
        specs = list(subject.fields.order_by("order", "pk"))
    attrs = {"specs": tuple(specs)}
    for spec in specs:
        attrs[spec.form_name] = _build_field(spec)
    return type(f"Subject{subject.pk}Form", (SubjectForm,), attrs)
