import pytest
from django.core.exceptions import ValidationError

from servicedesk.accounts.cpf import (
    CPF_INVALID_CHARACTERS,
    CPF_INVALID_CHECK_DIGITS,
    CPF_INVALID_LENGTH,
    clean_cpf,
    complete_cpf,
    format_cpf,
    is_valid_cpf,
    mask_cpf,
    validate_cpf,
)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("52998224725", "52998224725"),
        ("529.982.247-25", "52998224725"),
        (" 529.982.247-25 ", "52998224725"),
        ("529 982 247 25", "52998224725"),
        ("111.444.777-35", "11144477735"),
        ("390.533.447-05", "39053344705"),
        ("987.654.321-00", "98765432100"),  # both check digits are zero
        ("123.456.789-09", "12345678909"),
    ],
)
def test_valid_cpfs_come_back_as_eleven_digits(typed, digits):
    assert clean_cpf(typed) == digits
    assert is_valid_cpf(typed)


@pytest.mark.parametrize("typed", ["52998224724", "52998224735", "12345678900", "529.982.247-52"])
def test_wrong_check_digits_are_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        clean_cpf(typed)
    assert excinfo.value.messages == [CPF_INVALID_CHECK_DIGITS]


@pytest.mark.parametrize("digit", "0123456789")
def test_all_same_digit_cpfs_are_invalid_although_their_arithmetic_passes(digit):
    with pytest.raises(ValidationError) as excinfo:
        clean_cpf(digit * 11)
    assert excinfo.value.messages == [CPF_INVALID_CHECK_DIGITS]


@pytest.mark.parametrize("typed", ["5299822472", "529982247250", "529.982.247-2", "1", ""])
def test_wrong_length_is_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        clean_cpf(typed)
    assert excinfo.value.messages == [CPF_INVALID_LENGTH]


FULLWIDTH_DIGITS = "".join(chr(0xFF10 + int(digit)) for digit in "52998224725")


@pytest.mark.parametrize(
    "typed",
    [
        "5299822472a",
        "529,982,247-25",
        "529_982_247_25",
        "CPF 52998224725",
        FULLWIDTH_DIGITS,
        None,
    ],
)
def test_anything_but_digits_and_tolerated_punctuation_is_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        clean_cpf(typed)
    assert excinfo.value.messages[0] in (CPF_INVALID_CHARACTERS, CPF_INVALID_LENGTH)
    assert not is_valid_cpf(typed)


def test_letters_get_the_digits_only_message():
    with pytest.raises(ValidationError) as excinfo:
        clean_cpf("5299822472a")
    assert excinfo.value.messages == [CPF_INVALID_CHARACTERS]


def test_model_validator_wants_the_stored_form_without_punctuation():
    validate_cpf("52998224725")
    with pytest.raises(ValidationError):
        validate_cpf("529.982.247-25")


def test_format_and_mask():
    assert format_cpf("52998224725") == "529.982.247-25"
    assert mask_cpf("52998224725") == "***.982.247-**"


def test_complete_cpf_appends_valid_check_digits():
    assert complete_cpf("529982247") == "52998224725"
    for base in ("000000001", "123456789", "999999998", "314159265"):
        assert is_valid_cpf(complete_cpf(base))
