import pytest

from servicedesk.accounts.govbr.claims import (
    ClaimsError,
    cpf_from_claims,
    meets_minimum_level,
    trust_level_from_claims,
)
from servicedesk.accounts.models import GovbrTrustLevel

CPF = "52998224725"


@pytest.mark.parametrize(
    "claims",
    [
        {"preferred_username": CPF, "sub": CPF},
        {"preferred_username": CPF, "sub": "529982247-25"},
        {"sub": "529982247-25"},
        {"sub": "529.982.247-25"},
        {"preferred_username": CPF},
        {"preferred_username": "", "sub": CPF},
    ],
)
def test_cpf_is_normalised_from_preferred_username_or_sub(claims):
    assert cpf_from_claims(claims) == CPF


@pytest.mark.parametrize(
    "claims",
    [
        {},
        {"sub": "52998224724"},  # wrong check digit
        {"sub": "11111111111"},
        {"sub": "abc"},
        {"preferred_username": "52998224724", "sub": CPF},
        # Two different (valid) CPFs: do not guess which person this is.
        {"preferred_username": "11144477735", "sub": CPF},
    ],
)
def test_missing_invalid_or_conflicting_cpf_is_refused(claims):
    with pytest.raises(ClaimsError):
        cpf_from_claims(claims)


@pytest.mark.parametrize(
    ("claims", "level"),
    [
        ({"reliability_info": {"level": "gold"}}, GovbrTrustLevel.GOLD),
        ({"reliability_info": {"level": "Silver"}}, GovbrTrustLevel.SILVER),
        ({"reliability_info": '{"level": "bronze"}'}, GovbrTrustLevel.BRONZE),
        ({"reliability_info": {"level": "platinum"}}, None),
        ({"reliability_info": "not json"}, None),
        ({"reliability_info": ["gold"]}, None),
        ({}, None),
    ],
)
def test_trust_level(claims, level):
    assert trust_level_from_claims(claims) == level


@pytest.mark.parametrize(
    ("level", "minimum", "allowed"),
    [
        (None, "", True),
        (GovbrTrustLevel.BRONZE, "", True),
        (None, "bronze", False),
        (GovbrTrustLevel.BRONZE, "silver", False),
        (GovbrTrustLevel.SILVER, "silver", True),
        (GovbrTrustLevel.GOLD, "silver", True),
        (GovbrTrustLevel.SILVER, "gold", False),
    ],
)
def test_minimum_level(level, minimum, allowed):
    assert meets_minimum_level(level, minimum) is allowed
