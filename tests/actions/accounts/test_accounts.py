"""The account actions (balance, history, details) against the real sandbox over HTTP, behind the
login gate: after a login, after a logout, and with the bank down."""

from __future__ import annotations

import time

from actions.accounts.balance import ActionCheckBalance
from actions.accounts.bank_details import ActionBankDetails
from actions.accounts.transactions import ActionTransactionHistory
from actions.auth.check_login import ActionCheckLogin
from actions.auth.logout import ActionLogout
from tests.actions.helpers import make_tracker, responses, run, slot_events, texts
from tests.actions.login import login, new_sender, random_phone


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
    assert "IBAN: UA" in texts(messages) and "Recipient: Anna Ivanova" in texts(messages)
    assert messages[1]["image"].endswith(".png") and "QR code" in messages[1]["text"]
    assert messages[2]["buttons"][0]["payload"].endswith(".pdf")


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
