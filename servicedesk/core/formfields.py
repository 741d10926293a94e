"""Form fields for Brazilian documents and phone numbers, shared by the portal and the admin."""

import re

from django import forms
from django.core.exceptions import ValidationError

from servicedesk.accounts.cpf import clean_cpf

from .cnpj import clean_cnpj

HIDDEN_FIELD_INVALID = (
    "O formulário chegou com um valor inválido em “{label}”. Recarregue a página e envie de "
    "novo; o texto digitado foi mantido."
)


class VisibleHiddenErrorsMixin:
    """Errors on hidden fields become errors of the form, which the pages show: the user never
    sees a hidden field, so its error alone left a 400 with no word of what went wrong."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if field.widget.is_hidden and name in self.errors:
                del self.errors[name]
                label = field.label or name
                self.add_error(None, HIDDEN_FIELD_INVALID.format(label=label))
        return cleaned


PHONE_INVALID = "Informe o telefone com DDD, por exemplo (61) 2020-4000 ou (61) 99999-0000."


class CpfField(forms.CharField):
    """Accepts the CPF as people type it (with punctuation) and cleans it to 11 digits."""

    def __init__(self, *args, max_length=None, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, max_length=20, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_cpf(value) if value else value


class CnpjField(forms.CharField):
    def __init__(self, *args, max_length=None, **kwargs):
        super().__init__(*args, max_length=24, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_cnpj(value) if value else value


def clean_phone(value: str) -> str:
    """Brazilian phone with area code: 10 or 11 digits, an optional +55 in front."""
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+") or (len(digits) in (12, 13) and digits.startswith("55")):
        digits = digits.removeprefix("55")
    if len(digits) not in (10, 11) or digits[0] == "0" or re.search(r"[^\d\s()+\-.]", value):
        raise ValidationError(PHONE_INVALID, code="phone")
    return digits


def format_phone(digits: str) -> str:
    """(61) 2020-4000 / (61) 99999-0000"""
    return f"({digits[:2]}) {digits[2:-4]}-{digits[-4:]}"


class PhoneField(forms.CharField):
    def __init__(self, *args, max_length=None, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
        )
        super().__init__(*args, max_length=25, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_phone(value) if value else value
