"""Reading gov.br's ID token claims: the CPF and the account's trust level."""

import json
from typing import Any

from django.core.exceptions import ValidationError

from servicedesk.accounts.cpf import clean_cpf
from servicedesk.accounts.models import GovbrTrustLevel

_LEVELS_LOWEST_FIRST = [level.value for level in GovbrTrustLevel]


class ClaimsError(ValueError):
    """The ID token does not carry what gov.br promises (a usable CPF)."""


def cpf_from_claims(claims: dict[str, Any]) -> str:
    """The 11 digits of the person's CPF.

    gov.br sends the CPF as digits in `preferred_username` and in `sub`, where it is
    sometimes formatted ("123456789-09"); `preferred_username` wins. If both are there they
    must name the same person.
    """
    found = []
    for name in ("preferred_username", "sub"):
        value = claims.get(name)
        if value in (None, ""):
            continue
        try:
            found.append(clean_cpf(value))
        except ValidationError:
            raise ClaimsError(f"claim {name} is not a valid CPF") from None
    if not found:
        raise ClaimsError("no CPF in preferred_username nor sub")
    if len(set(found)) > 1:
        raise ClaimsError("preferred_username and sub name different CPFs")
    return found[0]


def trust_level_from_claims(claims: dict[str, Any]) -> GovbrTrustLevel | None:
    """`reliability_info.level` (bronze, silver, gold), or None when absent or unknown."""
    info = claims.get("reliability_info")
    if isinstance(info, str):
        # Some gov.br environments send the object serialised as a string.
        try:
            info = json.loads(info)
        except ValueError:
            return None
    level = info.get("level") if isinstance(info, dict) else None
    if isinstance(level, str) and level.strip().lower() in _LEVELS_LOWEST_FIRST:
        return GovbrTrustLevel(level.strip().lower())
    return None


def meets_minimum_level(level: GovbrTrustLevel | None, minimum: str) -> bool:
    if not minimum:
        return True
    if level is None:
        return False
    return _LEVELS_LOWEST_FIRST.index(level) >= _LEVELS_LOWEST_FIRST.index(minimum)
