"""CPF (Cadastro de Pessoas Físicas): normalising, check digits, display and masking."""

import re

from django.core.exceptions import ValidationError

CPF_LENGTH = 11
CPF_INVALID_CHARACTERS = "Digite o CPF somente com números (pontos e hífen são aceitos)."
CPF_INVALID_LENGTH = "O CPF deve ter 11 dígitos."
CPF_INVALID_CHECK_DIGITS = "CPF inválido: confira os números digitados."

# What people type around the digits: "123.456.789-09", "123 456 789 09", "123456789/09".
_TOLERATED_PUNCTUATION = re.compile(r"[.\-\s/]")


def _check_digit(digits: str) -> str:
    weight = len(digits) + 1
    total = sum(int(digit) * (weight - index) for index, digit in enumerate(digits))
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def clean_cpf(value: object) -> str:
    """Return the 11 digits of a typed CPF or raise ValidationError with a pt-BR message."""
    text = _TOLERATED_PUNCTUATION.sub("", str(value if value is not None else ""))
    if text and (not text.isascii() or not text.isdigit()):
        raise ValidationError(CPF_INVALID_CHARACTERS, code="cpf_characters")
    if len(text) != CPF_LENGTH:
        raise ValidationError(CPF_INVALID_LENGTH, code="cpf_length")
    # All-same-digit numbers pass the arithmetic but are never issued.
    if text == text[0] * CPF_LENGTH:
        raise ValidationError(CPF_INVALID_CHECK_DIGITS, code="cpf_check_digits")
    expected = _check_digit(text[:9])
    expected += _check_digit(text[:9] + expected)
    if text[9:] != expected:
        raise ValidationError(CPF_INVALID_CHECK_DIGITS, code="cpf_check_digits")
    return text


def is_valid_cpf(value: object) -> bool:
    try:
        clean_cpf(value)
    except ValidationError:
        return False
    return True


def validate_cpf(value: str) -> None:
    """Model-field validator: the stored value must be exactly 11 digits with valid check digits."""
    if clean_cpf(value) != value:
        raise ValidationError(CPF_INVALID_CHARACTERS, code="cpf_characters")


def format_cpf(digits: str) -> str:
    """123.456.789-09"""
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def mask_cpf(digits: str) -> str:
    """***.456.789-** : enough to recognise one's own CPF, not enough to reuse it."""
    return f"***.{digits[3:6]}.{digits[6:9]}-**"


def complete_cpf(first_nine: str) -> str:
    """Append the two check digits to nine digits (demo data, factories, benchmark)."""
    first = _check_digit(first_nine)
    return first_nine + first + _check_digit(first_nine + first)
