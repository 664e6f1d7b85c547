"""Customer amounts and the one money format customers read (no bank needed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.common.money import (
    DEFAULT_CURRENCY,
    AmountError,
    format_money,
    money_text,
    parse_amount,
    validate_amount,
)
from bankclient.money import from_api, to_api


@pytest.mark.parametrize(
    "text, expected",
    [
        ("50", "50"),
        ("1 500", "1500"),
        ("1\u00a0500", "1500"),
        ("1,500", "1500"),
        ("1,500.50", "1500.50"),
        ("1.500,50", "1500.50"),
        ("20.5", "20.5"),
        ("20,50", "20.50"),
        ("1,000,000", "1000000"),
        ("twenty", "20"),
        ("fifty five", "55"),
        ("fifty-five", "55"),
        ("one hundred", "100"),
        ("a hundred and twenty", "120"),
        ("two thousand five hundred", "2500"),
        ("2k", "2000"),
        ("1.5k", "1500"),
        ("$20", "20"),
        ("50 uah", "50"),
        ("100 hryvnias", "100"),
        ("€ 15.75", "15.75"),
    ],
)
def test_parse_amount_understands_how_people_type(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "a", "send money", None, "twenty bananas"])
def test_parse_amount_refuses_what_is_not_an_amount(text):
    assert parse_amount(text) is None


def test_parse_amount_never_uses_float():
    assert isinstance(parse_amount("0.1"), Decimal)
    assert parse_amount("0.1") + parse_amount("0.2") == Decimal("0.3")


@pytest.mark.parametrize(
    "value, reason",
    [("0", "not_positive"), ("-5", "not_positive"), ("1.005", "too_many_decimals"),
     ("1000000.01", "too_large"), ("abc", "not_a_number")],
)  # fmt: skip
def test_validate_amount_refuses(value, reason):
    with pytest.raises(AmountError) as info:
        validate_amount(value)
    assert info.value.reason == reason


def test_validate_amount_normalises_to_cents():
    assert validate_amount("20.5") == Decimal("20.50")
    assert str(validate_amount(Decimal("7"))) == "7.00"
    assert validate_amount("1 000 000") == Decimal("1000000.00")


def test_format_and_api_conversion():
    assert format_money(Decimal("1500")) == "1,500.00 UAH"
    assert format_money(Decimal("-20.5"), "usd") == "-20.50 USD"
    assert to_api(Decimal("50")) == "50.00"
    assert to_api("20.5") == "20.50"
    assert from_api("50.00") == Decimal("50.00")
    assert from_api(0.1) == Decimal("0.1")
    with pytest.raises(ValueError):
        from_api("fifty")


def test_money_reads_with_thousands_commas_and_two_decimals():
    assert money_text("10000") == "10,000.00 UAH"
    assert money_text(Decimal("1500.5"), "usd") == "1,500.50 USD"
    assert money_text("-20") == "-20.00 UAH"
    assert DEFAULT_CURRENCY == "UAH"


def test_a_value_that_is_not_money():
    with pytest.raises(ValueError):
        money_text("n/a")
    assert money_text(None, unreadable="-") == "-"
