"""The channel layer's message guard: validation, and what reaches Rasa instead of secrets.

protect_text runs against the real sandbox vault (the `corebank` fixture) and a real Rasa
tracker store holding a conversation that waits for a one-time code or a passport number.
"""

from __future__ import annotations

import re

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from actions.bank import close_bank
from assistant.channels import (
    BadMessage,
    parse_payload,
    protect_text,
    strip_control_characters,
)
from scripts.services import free_port

CTOK = re.compile(r"ctok_[A-Za-z0-9]{16}")
OTOK = re.compile(r"otok_[A-Za-z0-9]{16}")
PTOK = re.compile(r"ptok_[A-Za-z0-9]{16}")

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  otp_code: {type: text, mappings: [{type: custom}]}
  passport_number: {type: text, mappings: [{type: custom}]}
forms:
  some_form: {required_slots: [otp_code, passport_number]}
"""
)


@pytest.fixture
async def vault(corebank, monkeypatch):
    """The in-process bank wrapper pointed at the sandbox."""
    for key in ("COREBANK_URL", "COREBANK_CLIENT_ID", "COREBANK_CLIENT_SECRET", "COREBANK_REALM"):
        monkeypatch.setenv(key, corebank.env[key])
    await close_bank()
    yield corebank
    await close_bank()


@pytest.fixture
async def vault_down(monkeypatch):
    monkeypatch.setenv("COREBANK_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("BANK_TIMEOUT_SECONDS", "0.5")
    await close_bank()
    yield
    await close_bank()


async def _store_waiting_for(slot_name: str | None) -> InMemoryTrackerStore:
    store = InMemoryTrackerStore(DOMAIN)
    tracker = DialogueStateTracker("alice", DOMAIN.slots)
    if slot_name:
        tracker.update(SlotSet("requested_slot", slot_name))
    await store.save(tracker)
    return store


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "hello",
        {"message": "hi"},  # no sender
        {"sender": "", "message": "hi"},
        {"sender": "a b", "message": "hi"},
        {"sender": "x" * 200, "message": "hi"},
        {"sender": "alice"},  # no message
        {"sender": "alice", "message": 42},
        {"sender": "alice", "message": {"text": "hi"}},
        {"sender": "alice", "message": "   \x00\x07  "},
        {"sender": "alice", "message": "hi", "metadata": "not an object"},
        {"sender": "alice", "message": "hi", "input_channel": "Tele gram"},
    ],
)
def test_bad_payloads_are_refused(payload) -> None:
    with pytest.raises(BadMessage):
        parse_payload(payload)


def test_good_payload_is_cleaned() -> None:
    incoming = parse_payload(
        {"sender": 12345, "message": " hi\x00 there\u202e\r\n", "input_channel": "telegram"}
    )
    assert (incoming.sender_id, incoming.text, incoming.input_channel) == (
        "12345",
        "hi there",
        "telegram",
    )


def test_control_characters_are_stripped_but_lines_kept() -> None:
    assert strip_control_characters("a\x1b[31mb\tc\r\nd\x7f") == "a[31mb\tc\nd"


# ------------------------------------------------------------------ protection


async def test_card_numbers_become_vault_tokens(vault) -> None:
    text = await protect_text("send 50 to 4111 1111 1111 1111 and 5555-5555-5555-4444", "a", None)
    tokens = CTOK.findall(text)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert text.startswith("send 50 to ctok_")
    again = await protect_text("4111111111111111", "a", None)
    assert again == tokens[0]  # same card, same token


async def test_secret_phrases_are_redacted(vault) -> None:
    text = await protect_text("my pin is 1234 and cvv 321, password: hunter2", "a", None)
    assert text == "my pin is [redacted] and cvv [redacted], password: [redacted]"


async def test_passport_after_the_word_becomes_a_reference(vault) -> None:
    text = await protect_text("my passport number is AB 123456", "a", None)
    assert PTOK.fullmatch(text.removeprefix("my passport number is ")), text


async def test_awaited_otp_becomes_a_reference(vault) -> None:
    store = await _store_waiting_for("otp_code")
    assert OTOK.fullmatch(await protect_text("123456", "alice", store))
    text = await protect_text("the code is 654 321", "alice", store)
    assert OTOK.fullmatch(text.removeprefix("the code is ")), text


async def test_awaited_passport_becomes_a_reference(vault) -> None:
    store = await _store_waiting_for("passport_number")
    assert PTOK.fullmatch(await protect_text("kx4821937", "alice", store))


async def test_numbers_are_left_alone_when_nothing_is_awaited(vault) -> None:
    store = await _store_waiting_for(None)
    assert await protect_text("send 123456 uah", "alice", store) == "send 123456 uah"
    assert await protect_text("send 5000", "nobody-yet", store) == "send 5000"


async def test_vault_down_never_lets_a_secret_through(vault_down) -> None:
    store = await _store_waiting_for("otp_code")
    assert await protect_text("card 4111 1111 1111 1111", "x", None) == "card ctok_unavailable"
    assert await protect_text("123456", "alice", store) == "[redacted]"
    assert await protect_text("passport AB1234567", "x", None) == "passport [redacted]"
