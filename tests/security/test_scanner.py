"""The independent scanner (tests/security/scanner.py) finds what it must, and only that."""

from __future__ import annotations

import pytest

from tests.security.scanner import card_like_runs, scan_text


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1111 ok",
        "card 4111-1111-1111-1111",
        "4111111111111111",
        "to 4111\u00a01111\u20131111\u20141111!",  # no-break space, en and em dashes
        " ".join(["\uff14\uff11\uff11\uff11"] + ["\uff11" * 4] * 3),  # fullwidth
        "\u0664" + "\u0661" * 15,  # Arabic-Indic
        "4111 1111 1111 1112",  # not Luhn-valid: still a leak
        '{"text": "4111111111111"}',  # 13 digits
        "6011 0000 0000 0000 004",  # 19 digits
    ],
)
def test_card_like_numbers_are_found(text) -> None:
    assert card_like_runs(text), text


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111",  # 12 digits
        "a1234567890123456b",  # glued to letters (an id)
        "ctok_4111111111111111x",
        "1764169203.123456 1764169203.1",  # timestamps
        "2026-11-26 15:00:03,123 INFO",
        "12345678901234567890123",  # 23 digits: not a card
        "amount 1,500.00 UAH to •••• 1111",
        "500 1764169203.12",
        "Loading model models/20261126-145256-excited-rout.tar.gz",
    ],
)
def test_other_numbers_are_not(text) -> None:
    assert card_like_runs(text) == [], text


def test_only_the_listed_benign_numbers_are_ignored() -> None:
    assert scan_text("Enabling coroutine debugging. Loop id 93911644094416.") == []
    assert [f.what for f in scan_text("Loop 93911644094416")] == ["4416"]


def test_typed_values_are_found_as_tokens_and_without_separators() -> None:
    typed = {"pin": "7319", "card": "4111 1111 1111 1111", "passport": "KX4821937"}
    assert [f.what for f in scan_text("my pin is 7319", typed)] == ["pin"]
    assert scan_text("port 57319 and 73190", typed) == []
    assert scan_text("2026-11-26 15:39:07,7319 INFO httpx", typed) == []
    assert [f.what for f in scan_text("pin:7319", typed)] == ["pin"]
    found = {f.what for f in scan_text("x 4111-1111-1111-1111 y", typed)}
    assert found == {"card", "1111"}
    assert [f.what for f in scan_text("\u0667\u0663\u0661\u0669", typed)] == ["pin"]
    assert [f.what for f in scan_text('"KX4821937"', typed)] == ["passport"]


def test_the_many_values_scanner_finds_what_scan_text_finds():
    from tests.security.scanner import Scanner, scan_text

    typed = {"pin": "7319", "card": "4111 1111 1111 1111", "cvv": "846", "pwd": "Hunter2"}
    texts = ["pin 7319", "port 57319", "15:39:07,846 x", "4111-1111-1111-1111", "cvv: 846.",
             "Hunter2!", "xHunter2", "card ٤١١١١١١١١١١١١١١١", "nothing here 1234"]
    scanner = Scanner(typed)
    for text in texts:
        assert scanner.scan(text) == scan_text(text, typed), text
