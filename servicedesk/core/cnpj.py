"""CNPJ (Cadastro Nacional da Pessoa Jurídica): numeric, and the alphanumeric form of 2026."""

import re

from django.core.exceptions import ValidationError

CNPJ_INVALID_FORMAT = "Informe o CNPJ com 14 caracteres, por exemplo 12.345.678/0001-95."
CNPJ_INVALID_CHECK_DIGITS = "CNPJ inválido: confira os caracteres digitados."

_PUNCTUATION = re.compile(r"[.\-/\s]")
_SHAPE = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
_WEIGHTS = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]


def _check_digit(chars: str) -> str:
    # Each character counts as its code minus 48: digits keep their value, A=17, B=18...
    weights = _WEIGHTS[-len(chars) :]
    total = sum((ord(char) - 48) * weight for char, weight in zip(chars, weights, strict=True))
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def clean_cnpj(value: object) -> str:
    """The 14 characters of a typed CNPJ, upper-cased, or ValidationError in pt-BR."""
    text = _PUNCTUATION.sub("", str(value or "")).upper()
    if not text.isascii() or not _SHAPE.match(text):
        raise ValidationError(CNPJ_INVALID_FORMAT, code="cnpj_format")
    if text == text[0] * 14:
        raise ValidationError(CNPJ_INVALID_CHECK_DIGITS, code="cnpj_check_digits")
    first = _check_digit(text[:12])
    if text[12:] != first + _check_digit(text[:12] + first):
        raise ValidationError(CNPJ_INVALID_CHECK_DIGITS, code="cnpj_check_digits")
    return text


def format_cnpj(chars: str) -> str:
    """12.345.678/0001-95"""
    return f"{chars[:2]}.{chars[2:5]}.{chars[5:8]}/{chars[8:12]}-{chars[12:]}"
