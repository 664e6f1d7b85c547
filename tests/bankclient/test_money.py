"""Money as the bank's APIs carry it: 2-decimal strings ↔ Decimal, never float."""

from decimal import Decimal

import pytest

from bankclient.money import from_api, parse_money_fields, to_api


def test_api_conversion():
    assert to_api(Decimal("50")) == "50.00"
    assert to_api("20.5") == "20.50"
    assert to_api(7) == "7.00"
    assert to_api(Decimal("1.005")) == "1.01"  # half up, as the bank rounds
    assert from_api("50.00") == Decimal("50.00")
    assert from_api(0.1) == Decimal("0.1")
    assert from_api(Decimal("3.30")) == Decimal("3.30")
    with pytest.raises(ValueError):
        from_api("fifty")


def test_money_fields_of_errors_become_decimal():
    details = parse_money_fields({"available": "10.00", "total": "12.50", "field": "amount"})
    assert details == {"available": Decimal("10.00"), "total": Decimal("12.50"), "field": "amount"}
    assert parse_money_fields({"amount": True}) == {"amount": True}  # not money: untouched
    assert parse_money_fields({"amount": "n/a"}) == {"amount": "n/a"}
