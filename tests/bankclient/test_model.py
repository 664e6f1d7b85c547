"""Typed results built from the bank's JSON: money as Decimal, nested objects, lists as tuples,
unknown fields ignored, malformed answers refused."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from bankclient import Account, BlockedCard, InvalidResponse, Tariffs, TransferQuote
from bankclient.cards import _blocked_card


def test_money_and_nested_objects_are_typed():
    quote = TransferQuote.from_json(
        {
            "quote_id": "qte_1", "amount": "50.00", "fee": "0.00", "total": "50.00",
            "currency": "UAH", "route": "own", "requires_step_up": False,
            "limits": {"per_transfer": "30000.00", "daily_remaining": "99950.00"},
            "something_new": {"the bank": "added"},
        }
    )  # fmt: skip
    assert quote.total == Decimal("50.00") and isinstance(quote.fee, Decimal)
    assert quote.limits.daily_remaining == Decimal("99950.00")
    assert quote.own_bank and quote.recipient_masked_name is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote.amount = Decimal("1")  # type: ignore[misc]


def test_lists_become_tuples_and_to_json_goes_back():
    tariffs = Tariffs.from_json(
        {
            "tariffs": [
                {"code": "basic", "name": "Basic", "conditions": ["free"], "cashback": None},
                {
                    "code": "tariff", "name": "Digital Tariff Card", "credit_limit": "20000.00",
                    "cashback": {"min_percent": "2", "max_percent": "33", "categories": [
                        {"category": "ice_cream", "title": "Ice cream", "percent": "33"}]},
                },
            ],
            "plastic_delivery": {"delivery_business_days": 5},
        }
    )  # fmt: skip
    tariff = tariffs.get("tariff")
    assert tariff.credit_limit == Decimal("20000.00")
    assert tariff.cashback.categories[0].percent == Decimal("33")
    assert tariffs.get("basic").conditions == ("free",) and tariffs.get("none") is None
    assert tariffs.plastic_delivery.delivery_business_days == 5
    back = tariffs.to_json()
    assert back["tariffs"][1]["credit_limit"] == "20000.00"
    assert back["tariffs"][0]["conditions"] == ["free"]
    assert Tariffs.from_json(back) == tariffs


def test_a_list_of_results():
    accounts = Account.many(
        [{"account_id": "a1", "currency": "UAH", "balance": "1.10", "available": "1.10"}]
    )
    assert accounts == (
        Account("a1", "UAH", Decimal("1.10"), Decimal("1.10"), credit_limit=Decimal("0.00")),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"account_id": "a1", "currency": "UAH", "balance": "1.10"},  # no available
        {"account_id": "a1", "currency": "UAH", "balance": "lots", "available": "1"},
        {"account_id": "a1", "currency": "UAH", "balance": None, "available": "1"},
        {"account_id": "a1", "currency": "UAH", "balance": True, "available": "1"},
    ],
)
def test_malformed_answers_are_invalid_response(data):
    with pytest.raises(InvalidResponse):
        Account.from_json(data)


def test_blocked_card_with_and_without_replacement():
    base = {"card_id": "card_1", "status": "blocked", "status_reason": "lost"}
    blocked = _blocked_card({**base, "new_card_id": "card_2", "new_card_masked": "•••• 0042"})
    assert isinstance(blocked, BlockedCard) and blocked.blocked
    assert blocked.replacement.card_id == "card_2" and blocked.replacement.masked == "•••• 0042"
    assert _blocked_card({**base, "new_card_id": None}).replacement is None
