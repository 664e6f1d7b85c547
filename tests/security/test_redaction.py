"""assistant.redaction: what is masked, what is left alone."""

from __future__ import annotations

import pytest

from assistant.redaction import (
    REDACTED,
    contains_sensitive,
    find_card_numbers,
    redact_obj,
    redact_text,
)
from bankclient.refs import ALL_PREFIXES, CARD_PREFIX, OTP_PREFIX, PASSPORT_PREFIX


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111111111111111", "•••• 1111"),
        ("my card is 4111 1111 1111 1111, thanks", "my card is •••• 1111, thanks"),
        ("4111-1111-1111-1111", "•••• 1111"),
        ("send 500 to 5555555555554444 pls", "send 500 to •••• 4444 pls"),
        # an amount typed right next to the number is not part of the card
        ("send 500 4111 1111 1111 1111", "send 500 •••• 1111"),
        ("5555555555554444 50 uah", "•••• 4444 50 uah"),
        ("amex 3782 822463 10005 ok", "amex •••• 0005 ok"),
        ("19 digits 6011000990139424 and 4000056655665556", "19 digits •••• 9424 and •••• 5556"),
    ],
)
def test_card_numbers_are_masked(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "send 5000 uah",
        "123456789012",  # 12 digits: too short for a card
        "+380501234567",
        "+38 050 123 45 67",
        "UA213223130000026007233566001",  # IBAN: digits glued to letters
        "UA21 3223 1300 0002 6007 2335 6600 1",
        "20.50 on 2024-11-25 10:15",
        '"confidence": 0.0004631973273535',  # decimals are not card numbers
        "4111111111111111.5",
        f"{CARD_PREFIX}AB12cd34EF56gh78 is my card",
        f"{OTP_PREFIX}0123456789abcdef",
        f"{PASSPORT_PREFIX}AB1234567xyzXYZ1",
    ],
)
def test_harmless_text_is_untouched(text: str) -> None:
    assert redact_text(text) == text
    assert not contains_sensitive(text)


@pytest.mark.parametrize("prefix", ALL_PREFIXES)
def test_a_vault_reference_after_a_password_word_is_kept(prefix: str) -> None:
    text = f"my password is {prefix}0123456789abcdef"
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my pin is 1234", f"my pin is {REDACTED}"),
        ("PIN: 0000", f"PIN: {REDACTED}"),
        ("pin code 9876 please", f"pin code {REDACTED} please"),
        ("set my pin to 4321", f"set my pin to {REDACTED}"),
        ("cvv 123", f"cvv {REDACTED}"),
        ("the CVC2 is 321", f"the CVC2 is {REDACTED}"),
        ("password: hunter2", f"password: {REDACTED}"),
        ("my password is correcthorse", f"my password is {REDACTED}"),
        ("pwd hunter2", f"pwd {REDACTED}"),
        ("code 123456", f"code {REDACTED}"),
        ("the sms code is 12 34 56", f"the sms code is {REDACTED}"),
        ("otp=654321", f"otp={REDACTED}"),
        ("passport AB123456", f"passport {REDACTED}"),
        ("my passport number is ab 1234567", f"my passport number is {REDACTED}"),
        ("passport no. 123456789", f"passport no. {REDACTED}"),
        ("паспорт? passport КА123456", f"паспорт? passport {REDACTED}"),
        ("it is AB1234567 I think", f"it is {REDACTED} I think"),
    ],
)
def test_secret_phrases_are_replaced(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I want to change my pin",
        "change my password please",
        "forgot my password",
        "my postal code is 01001",
        "promo code 2024",
        "what is a cvv",
        "send 1234 to mom",
        "passport renewal",
    ],
)
def test_requests_about_secrets_are_not_secrets(text: str) -> None:
    assert redact_text(text) == text


def test_card_number_in_the_middle_of_a_long_sentence() -> None:
    text = "hi, yesterday I tried 4111 1111 1111 1111 and my pin is 1234 but it failed"
    assert redact_text(text) == (
        f"hi, yesterday I tried •••• 1111 and my pin is {REDACTED} but it failed"
    )


def test_find_card_numbers_reports_spans() -> None:
    text = "to 4111-1111-1111-1111 now"
    [span] = find_card_numbers(text)
    assert text[span.start : span.end] == "4111-1111-1111-1111"


def test_redact_obj_walks_events_without_changing_the_input() -> None:
    event = {
        "event": "user",
        "text": "card 4111111111111111",
        "timestamp": 1732521600.5,
        "parse_data": {
            "entities": [{"entity": "amount", "value": "5000"}, {"value": 4111111111111111}],
            "intent": {"name": "transfer_money", "confidence": 0.9},
        },
        "metadata": {"note": ["cvv 123", ("pin 1234",)]},
        "flag": True,
    }
    redacted = redact_obj(event)
    assert redacted["text"] == "card •••• 1111"
    assert redacted["parse_data"]["entities"][0]["value"] == "5000"
    assert redacted["parse_data"]["entities"][1]["value"] == "•••• 1111"
    assert redacted["metadata"]["note"] == [f"cvv {REDACTED}", (f"pin {REDACTED}",)]
    assert redacted["timestamp"] == 1732521600.5 and redacted["flag"] is True
    assert event["text"] == "card 4111111111111111"  # input untouched


@pytest.mark.parametrize(
    "text, date",
    [
        (
            f"Anna Ivanova, born 12.03.1995, passport {PASSPORT_PREFIX}9sD8fG7hJ6kL5zX4",
            "12.03.1995",
        ),
        ("my dob is 12 March 1995", "12 March 1995"),
        ("birthday: March 12th, 1995", "March 12th, 1995"),
        ("date of birth 1995-03-12", "1995-03-12"),
    ],
)
def test_dates_of_birth_are_redacted(text: str, date: str) -> None:
    assert date not in redact_text(text)


def test_other_dates_stay() -> None:
    assert redact_text("send 50 on 12.03.2026") == "send 50 on 12.03.2026"


def test_channel_keeps_the_date_of_birth_for_the_form() -> None:
    text = "Anna Ivanova, born 12.03.1995, pin 1234"
    assert redact_text(text, birth_dates=False) == "Anna Ivanova, born 12.03.1995, pin [redacted]"
