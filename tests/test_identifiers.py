import pytest

from pipeline.identifiers import (
    check_digit,
    corporate_number_from_base,
    format_company_number,
    is_valid_corporate_number,
    parse_company_number,
)


def test_check_digit_matches_the_documented_example():
    # documents.md: 基礎番号 000012050002 → 法人番号 7000012050002
    assert check_digit("000012050002") == 7
    assert corporate_number_from_base("000012050002") == "7000012050002"


@pytest.mark.parametrize(
    "number",
    [
        "7000012050002",  # documents.md
        "9060001240548",  # the example certificate's ０６００－０１－２４０５４８
    ],
)
def test_known_numbers_validate(number):
    assert is_valid_corporate_number(number)


def test_any_single_digit_change_is_caught():
    number = "7000012050002"
    for position in range(13):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            # A mod-9 check digit cannot see a 0↔9 change: it moves the sum by 9 or 18.
            if {digit, number[position]} == {"0", "9"}:
                continue
            assert not is_valid_corporate_number(changed), changed


@pytest.mark.parametrize("bad", ["", "123", "70000120500021", "700001205000a", "７000012050002"])
def test_malformed_numbers_are_invalid(bad):
    assert not is_valid_corporate_number(bad)


@pytest.mark.parametrize(
    "text",
    [
        "会社法人等番号　０１００－０１－０１２３４５",
        "会社法人等番号 0100-01-012345",
        "会 社 法人 等 番号 0100-ー01-012345",
        "0100 01 012345",
    ],
)
def test_company_number_in_any_width_and_separator(text):
    assert parse_company_number(text) == "010001012345"


def test_company_number_needs_the_4_2_6_shape():
    assert parse_company_number("01000-1-012345") is None
    assert parse_company_number("no digits here") is None


def test_derivation_from_certificate_to_form_number():
    base = parse_company_number("０６００－０１－２４０５４８")
    assert base == "060001240548"
    assert corporate_number_from_base(base) == "9060001240548"
    assert format_company_number(base) == "0600-01-240548"


def test_check_digit_rejects_wrong_length():
    with pytest.raises(ValueError):
        check_digit("12345")
