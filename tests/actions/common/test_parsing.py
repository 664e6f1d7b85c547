"""Amounts, currencies and cards in what customers type (no bank needed)."""

from __future__ import annotations

import pytest

from actions.common.parsing import amount_in, card_token_in, currency_in, has_raw_card_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500", "500"),
        ("1 500", "1 500"),
        ("twenty", "twenty"),
        ("make it fifty", "fifty"),
        ("one hundred and fifty uah", "one hundred and fifty uah"),
    ],
)
def test_amount_when_asked(text, expected):
    assert amount_in({"text": text, "entities": []}, answer_expected=True) == expected


def test_amount_in_a_request_needs_an_anchor():
    assert amount_in({"text": "send 50 to ctok_AAAAAAAAAAAAAAAA", "entities": []}, False) == "50"
    assert amount_in({"text": "send money to my 2 friends", "entities": []}, False) is None
    assert amount_in({"text": "send fifty dollars to my bro", "entities": []}, False) == "fifty"
    # A card number the NLU mistook for an amount is never an amount.
    msg = {"text": "x", "entities": [{"entity": "amount", "value": "4111 1111 1111 1112"}]}
    assert amount_in(msg, False) is None


def test_card_references_and_raw_card_numbers():
    ref = "ctok_AAAAAAAAAAAAAAAA"
    assert card_token_in({"text": f"send 50 to {ref}", "entities": []}) == ref
    assert card_token_in({"text": "x", "entities": [{"entity": "card_token", "value": ref}]}) == ref
    assert card_token_in({"text": "to ctok_unavailable", "entities": []}) == "ctok_unavailable"
    assert card_token_in({"text": "send 50 to my friend", "entities": []}) is None
    assert has_raw_card_number({"text": "to 4111 1111 1111 1112", "entities": []})
    assert not has_raw_card_number({"text": f"to {ref}", "entities": []})


def test_currency_from_entities_words_and_symbols():
    assert currency_in({"text": "50 bucks", "entities": []}) == "USD"
    assert currency_in({"text": "€20", "entities": []}) == "EUR"
    assert currency_in({"text": "x", "entities": [{"entity": "currency", "value": "hryvnia"}]}) == (
        "UAH"
    )
    assert currency_in({"text": "send 50", "entities": []}) is None
