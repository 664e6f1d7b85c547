"""What reaches Rasa instead of secrets: protect_text against the real sandbox vault (the
`corebank` fixture) and a real Rasa tracker store holding a conversation that waits for a
one-time code or a passport number."""

from __future__ import annotations

import re

import pytest

from assistant.channels.protect import protect_text
from assistant.redaction import REDACTED
from bankclient.refs import CARD_PREFIX, CARD_TOKEN_UNAVAILABLE, OTP_PREFIX, PASSPORT_PREFIX
from tests.assistant.channels.conftest import store_waiting_for

CTOK = re.compile(rf"{CARD_PREFIX}[A-Za-z0-9]{{16}}")
OTOK = re.compile(rf"{OTP_PREFIX}[A-Za-z0-9]{{16}}")
PTOK = re.compile(rf"{PASSPORT_PREFIX}[A-Za-z0-9]{{16}}")


async def test_card_numbers_become_vault_tokens(vault) -> None:
    text = await protect_text("send 50 to 4111 1111 1111 1111 and 5555-5555-5555-4444", "a", None)
    tokens = CTOK.findall(text)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert text.startswith(f"send 50 to {CARD_PREFIX}")
    again = await protect_text("4111111111111111", "a", None)
    assert again == tokens[0]  # same card, same token


async def test_secret_phrases_are_redacted(vault) -> None:
    text = await protect_text("my pin is 1234 and cvv 321, password: hunter2", "a", None)
    assert text == "my pin is [redacted] and cvv [redacted], password: [redacted]"


async def test_passport_after_the_word_becomes_a_reference(vault) -> None:
    text = await protect_text("my passport number is AB 123456", "a", None)
    assert PTOK.fullmatch(text.removeprefix("my passport number is ")), text


async def test_awaited_otp_becomes_a_reference(vault) -> None:
    store = await store_waiting_for("otp_code")
    assert OTOK.fullmatch(await protect_text("123456", "alice", store))
    text = await protect_text("the code is 654 321", "alice", store)
    assert OTOK.fullmatch(text.removeprefix("the code is ")), text


@pytest.mark.parametrize("typed", [
    "581 204", "581-204", "it's 581204", "ok 58 12 04 thanks", "код 581204", "вот: 581 204",
    "ось він 581204",
])
async def test_an_awaited_code_in_any_answer_becomes_a_reference(vault, typed) -> None:
    """Issue 22: the code typed as customers answer, split or in a sentence (the bot asked)."""
    store = await store_waiting_for("otp_code")
    text = await protect_text(typed, "alice", store)
    assert OTOK.search(text) and "581" not in text and "204" not in text, text


async def test_awaited_passport_becomes_a_reference(vault) -> None:
    store = await store_waiting_for("passport_number")
    assert PTOK.fullmatch(await protect_text("kx4821937", "alice", store))


async def test_numbers_are_left_alone_when_nothing_is_awaited(vault) -> None:
    store = await store_waiting_for(None)
    assert await protect_text("send 123456 uah", "alice", store) == "send 123456 uah"
    assert await protect_text("send 5000", "nobody-yet", store) == "send 5000"


async def test_vault_down_never_lets_a_secret_through(vault_down) -> None:
    store = await store_waiting_for("otp_code")
    card = await protect_text("card 4111 1111 1111 1111", "x", None)
    assert card == f"card {CARD_TOKEN_UNAVAILABLE}"
    assert await protect_text("123456", "alice", store) == REDACTED
    assert await protect_text("passport AB1234567", "x", None) == f"passport {REDACTED}"


async def test_card_numbers_in_any_shape_become_tokens_or_the_invalid_stand_in(vault) -> None:
    plain = await protect_text("4111111111111111", "a", None)
    for shape in ("4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111_1111_1111",
                  "4111  1111   1111 1111", "٤١١١١١١١١١١١١١١١", "４１１１１１１１１１１１１１１１"):
        assert await protect_text(f"send 50 to {shape}", "a", None) == f"send 50 to {plain}"
    from bankclient.refs import CARD_TOKEN_INVALID

    for typo in ("4111 1111 1111 1112", "4111.1111.1111.1112", "4111111111111112"):
        text = await protect_text(f"send 50 to {typo}", "a", None)
        assert text == f"send 50 to {CARD_TOKEN_INVALID}", text


def test_digits_of_any_script_and_unicode_separators_become_ascii() -> None:
    from assistant.channels.protect import ascii_digits

    fullwidth = " ".join(["\uff15" * 4] * 3 + ["\uff14" * 4])
    assert ascii_digits(f"send 5 to {fullwidth}") == "send 5 to 5555 5555 5555 4444"
    assert ascii_digits("card \u0664" + "\u0661" * 15) == "card 4111111111111111"
    assert ascii_digits("to 4000\u00a00566\u20135566\u20145556 pls") == "to 4000 0566-5566-5556 pls"
    assert ascii_digits("Привіт, café — 2 cards") == "Привіт, café — 2 cards"
