"""The login gate, the login form and the account actions against the real sandbox over HTTP.

Actions run directly (rasa-sdk CollectingDispatcher + a Tracker built from JSON); the bank is the
`corebank` fixture, reached through the real wrapper.
"""

from __future__ import annotations

import random
import time
import uuid

import pytest

from actions.accounts import ActionBankDetails, ActionCheckBalance, ActionTransactionHistory
from actions.auth import (
    ActionCancelLogin,
    ActionCheckLogin,
    ActionLogout,
    ValidateLoginForm,
)
from tests.actions.helpers import make_tracker, responses, run, slot_events, texts

ANNA = "+380501112233"  # seeded demo customer with accounts (corebank/seed.py)

WRAPPER_ENV = (
    "COREBANK_URL",
    "COREBANK_REALM",
    "COREBANK_CLIENT_ID",
    "COREBANK_CLIENT_SECRET",
    "COREBANK_SOAP_USER",
    "COREBANK_SOAP_PASSWORD",
)


@pytest.fixture
async def bank(corebank, monkeypatch):
    """Point the wrapper at the sandbox; a fresh wrapper per test (its own event loop)."""
    from actions.bank import close_bank, get_bank

    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, corebank.env[name])
    await close_bank()
    yield get_bank()
    await close_bank()
    corebank.clear_faults()


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def random_phone() -> str:
    """A fresh valid Ukrainian mobile number (a newcomer), so lock-outs hit nobody else."""
    return f"+38067{random.randint(1_000_000, 9_999_999)}"


async def ask_phone(sender: str, text: str, pending: str | None = None):
    tracker = make_tracker(
        sender, text, "inform", slots={"requested_slot": "phone_number", "pending_intent": pending},
        active_loop="login_form",
    )  # fmt: skip
    return await run(ValidateLoginForm(), tracker)


async def send_code(sender: str, text: str, slots: dict, intent: str = "inform"):
    tracker = make_tracker(
        sender, text, intent, slots={**slots, "requested_slot": "otp_code"},
        active_loop="login_form",
    )  # fmt: skip
    return await run(ValidateLoginForm(), tracker)


async def otp_ref(bank, corebank, phone: str) -> str:
    """What the channel layer does: the typed code goes to the vault, Rasa gets `otok_…`."""
    stored = await bank.rest.store_secret("otp", corebank.sms_code(phone))
    return stored["secret_ref"]


async def login(bank, corebank, sender: str, phone: str = ANNA) -> dict:
    events, _ = await ask_phone(sender, phone)
    slots = slot_events(events)
    events, messages = await send_code(sender, await otp_ref(bank, corebank, phone), slots)
    slots.update(slot_events(events))
    assert slots["logged_in"] is True, texts(messages)
    return slots


# ------------------------------------------------------------------------------- the gate


async def test_gate_not_logged_in_remembers_the_request(bank):
    tracker = make_tracker(new_sender(), "whats my balance", "check_balance")
    events, messages = await run(ActionCheckLogin(), tracker)
    slots = slot_events(events)
    assert slots["logged_in"] is False
    assert slots["pending_intent"] == "check_balance"
    assert slots["phone_number"] is None and slots["requested_slot"] is None
    assert responses(messages) == ["utter_login_needed"]


async def test_gate_for_an_explicit_login_has_nothing_pending(bank):
    events, messages = await run(ActionCheckLogin(), make_tracker(new_sender(), "log in", "login"))
    assert slot_events(events)["pending_intent"] is None
    assert messages == []


async def test_gate_says_expired_when_we_thought_we_were_logged_in(bank):
    tracker = make_tracker(new_sender(), "balance", "check_balance", slots={"logged_in": True})
    events, messages = await run(ActionCheckLogin(), tracker)
    assert slot_events(events)["logged_in"] is False
    assert responses(messages) == ["utter_session_expired"]


# ------------------------------------------------------------------------------- login form


@pytest.mark.parametrize("typed", ["+380 50 111 22 33", "0501112233", "my number is 050-111-22-33"])
async def test_phone_is_normalised_and_the_code_sent(bank, corebank, typed):
    sender = new_sender()
    events, messages = await ask_phone(sender, typed)
    slots = slot_events(events)
    assert slots["phone_number"] == ANNA
    assert slots["otp_challenge_id"]
    assert slots["phone_masked"].endswith("33") and "111" not in slots["phone_masked"]
    assert messages == []  # the form asks for the code next (utter_ask_login_form_otp_code)
    assert corebank.sms_code(ANNA)


async def test_not_a_phone_is_asked_again(bank):
    events, messages = await ask_phone(new_sender(), "12345")
    assert slot_events(events) == {"phone_number": None}
    assert responses(messages) == ["utter_invalid_phone"]


async def test_no_digits_at_all_lets_other_rules_answer(bank):
    events, messages = await ask_phone(new_sender(), "what is a tariff card")
    assert events == [] and messages == []  # the form is rejected: a digression


async def test_login_with_the_vault_reference(bank, corebank):
    sender = new_sender()
    events, _ = await ask_phone(sender, ANNA, pending="check_balance")
    slots = slot_events(events)
    ref = await otp_ref(bank, corebank, ANNA)
    events, messages = await send_code(sender, ref, slots)
    result = slot_events(events)
    assert result["logged_in"] is True
    assert result["otp_code"] == ref
    assert result["customer_first_name"] == "Anna"
    assert responses(messages) == ["utter_logged_in"] and messages[0]["first_name"] == "Anna"

    # The bank now knows this chat: the gate lets the request through.
    events, _ = await run(ActionCheckLogin(), make_tracker(sender, "balance", "check_balance"))
    assert slot_events(events) == {"logged_in": True, "pending_intent": None}


async def test_plain_code_is_verified_but_never_kept(bank, corebank):
    sender = new_sender()
    slots = slot_events((await ask_phone(sender, ANNA))[0])
    code = corebank.sms_code(ANNA)
    events, messages = await send_code(sender, f"code is {code}", slots)
    result = slot_events(events)
    assert result["logged_in"] is True
    assert result["otp_code"] == "[redacted]"
    assert code not in repr(events) and code not in repr(messages)


async def test_wrong_codes_count_down_then_lock(bank, corebank):
    sender, phone = new_sender(), random_phone()
    slots = slot_events((await ask_phone(sender, phone))[0])
    real = corebank.sms_code(phone)
    wrong = "000000" if real != "000000" else "111111"

    events, messages = await send_code(sender, wrong, slots)
    assert slot_events(events) == {"otp_code": None}
    assert "isn't right" in texts(messages) and "2 attempts left" in texts(messages)

    await send_code(sender, wrong, slots)
    events, messages = await send_code(sender, wrong, slots)
    result = slot_events(events)
    assert result["login_aborted"] is True
    assert result["requested_slot"] is None  # the form ends
    assert "Too many wrong codes" in texts(messages) or "no attempts left" in texts(messages)

    # Even the right code, or a new one, is refused while locked.
    events, messages = await ask_phone(new_sender(), phone)
    assert slot_events(events)["login_aborted"] is True
    assert "Too many wrong codes" in texts(messages)


async def test_resend_gives_a_new_challenge(bank, corebank):
    sender = new_sender()
    slots = slot_events((await ask_phone(sender, ANNA))[0])
    events, messages = await send_code(sender, "didn't get the sms", slots, intent="resend_code")
    result = slot_events(events)
    assert result["otp_code"] is None
    assert result["otp_challenge_id"] and result["otp_challenge_id"] != slots["otp_challenge_id"]
    slots.update(result)
    events, _ = await send_code(sender, await otp_ref(bank, corebank, ANNA), slots)
    assert slot_events(events)["logged_in"] is True


async def test_digression_during_the_code_rejects_the_form(bank, corebank):
    sender = new_sender()
    slots = slot_events((await ask_phone(sender, ANNA))[0])
    events, messages = await send_code(sender, "are you a bot?", slots, intent="bot_challenge")
    assert events == [] and messages == []


async def test_cancel_clears_the_login(bank):
    tracker = make_tracker(new_sender(), "cancel", "deny",
                           slots={"phone_number": ANNA, "pending_intent": "check_balance"},
                           active_loop="login_form")  # fmt: skip
    events, messages = await run(ActionCancelLogin(), tracker)
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    slots = slot_events(events)
    assert slots["phone_number"] is None and slots["pending_intent"] is None
    assert responses(messages) == ["utter_login_cancelled"]


# ------------------------------------------------------------------------------- accounts


async def test_balance_history_and_details_after_login(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender)
    tracker = make_tracker(sender, "balance", "check_balance", slots={"logged_in": True})

    events, messages = await run(ActionCheckBalance(), tracker)
    assert events == []
    assert "UAH account:" in texts(messages) and "available" in texts(messages)

    events, messages = await run(ActionTransactionHistory(), tracker)
    assert events == []
    text = texts(messages)
    assert text.startswith("Your last") or responses(messages) == ["utter_no_transactions"]

    events, messages = await run(ActionBankDetails(), tracker)
    assert "IBAN: UA" in texts(messages)
    assert "pdf" not in texts(messages).lower() and "qr" not in texts(messages).lower()


async def test_newcomer_without_accounts_is_offered_a_card(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender, phone=random_phone())
    tracker = make_tracker(sender, "balance", "check_balance", slots={"logged_in": True})
    _, messages = await run(ActionCheckBalance(), tracker)
    assert responses(messages) == ["utter_no_accounts"]


async def test_logout_then_the_request_asks_to_log_in_again(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender)
    events, messages = await run(ActionLogout(), make_tracker(sender, "log out", "logout"))
    assert slot_events(events)["logged_in"] is False
    assert responses(messages) == ["utter_logged_out"]

    # The session is gone at the bank: the action says so, logs in again, and resumes.
    tracker = make_tracker(sender, "balance", "check_balance", slots={"logged_in": True})
    events, messages = await run(ActionCheckBalance(), tracker)
    assert responses(messages) == ["utter_session_expired"]
    assert slot_events(events)["pending_intent"] == "check_balance"
    assert {"event": "followup", "name": "login_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


async def test_bank_down_gets_an_apology_within_3_seconds(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender)
    corebank.set_faults(hang=True, paths=["/api/v1/me/accounts", "/api/v1/me/session"])
    tracker = make_tracker(sender, "balance", "check_balance", slots={"logged_in": True})

    started = time.monotonic()
    events, messages = await run(ActionCheckBalance(), tracker)
    assert time.monotonic() - started < 3.0
    assert events == [] and responses(messages) == ["utter_bank_unavailable"]

    started = time.monotonic()
    events, messages = await run(ActionCheckLogin(), tracker)
    assert time.monotonic() - started < 3.0
    assert responses(messages) == ["utter_bank_unavailable"]
    assert [e["event"] for e in events] == ["followup"]  # wait for the customer, nothing else
