"""身份证号码 validation: GB 11643-1999, check digit ISO 7064 MOD 11-2."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from zhucun.id_numbers import check_digit, mask_id_number, mask_phone, parse_id_number

# Published examples of valid numbers (the standard's own and widely cited ones).
VALID = [
    "11010519491231002X",  # GB 11643 example, check digit X
    "513431198503120035",
    "510104199001011230",
    "513402197208150024",
    "511102198811304565",
]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_pass(number):
    assert parse_id_number(number).number == number


def test_facts_derive_birth_date_and_gender():
    facts = parse_id_number("11010519491231002X")
    assert facts.birth_date == datetime.date(1949, 12, 31)
    assert facts.gender == "F"  # 17th digit 2 is even
    assert parse_id_number("513431198503120035").gender == "M"  # 17th digit 3 is odd


@pytest.mark.parametrize("number", VALID)
def test_every_single_character_mutation_is_rejected(number):
    for position in range(18):
        alphabet = "0123456789X" if position == 17 else "0123456789"
        for replacement in alphabet:
            if replacement == number[position]:
                continue
            mutated = number[:position] + replacement + number[position + 1 :]
            with pytest.raises(ValidationError):
                parse_id_number(mutated)


def test_lowercase_x_and_full_width_and_spaces_are_normalised():
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"
    assert (
        parse_id_number(" １１０１０５１９４９１２３１００２Ｘ ").number
        == "11010519491231002X"
    )


@pytest.mark.parametrize(
    "raw, code",
    [
        ("5134311985031200", "id_shape"),  # 16 characters
        ("5.13431198503121e17", "id_shape"),  # an ID that Excel turned into a number
        ("513431198502300035", "id_birth_date"),  # 30 February
        ("440524188001010014", "id_birth_date"),  # valid check digit, born 1880
        ("513431198503120036", "id_check_digit"),
    ],
)
def test_bad_numbers_say_why_in_chinese(raw, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_id_number(raw)
    assert excinfo.value.code == code
    assert "身份证号码" in excinfo.value.messages[0]


def test_check_digit_matches_the_standard_example():
    assert check_digit("11010519491231002") == "X"


def test_masks():
    assert mask_id_number("51343119850312123X") == "**************123X"
    assert mask_phone("13812345678") == "*******5678"
