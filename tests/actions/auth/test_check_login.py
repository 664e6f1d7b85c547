"""The login gate (`action_check_login`) against the real sandbox over HTTP."""

from __future__ import annotations

import pytest

from actions.auth.check_login import ActionCheckLogin
from tests.actions.helpers import make_tracker, responses, run, slot_events
from tests.actions.login import login, new_sender


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


async def test_gate_logged_in_names_the_sensitive_request(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender)
    tracker = make_tracker(
        sender, "balance", "check_balance", slots={"pending_intent": "bank_details"}
    )
    events, messages = await run(ActionCheckLogin(), tracker)
    assert [(e["event"], e["name"], e["value"]) for e in events] == [
        ("slot", "logged_in", True),
        ("slot", "pending_intent", "check_balance"),
    ]
    assert messages == []


@pytest.mark.parametrize(
    ("intent", "pending", "served"),
    [
        ("inform", "check_balance", "check_balance"),  # right after the login form: resume it
        ("affirm", "transfer_money", "transfer_money"),
        ("greet", None, None),  # nothing sensitive asked, nothing remembered
    ],
)
async def test_gate_logged_in_resumes_the_remembered_request(
    bank, corebank, intent, pending, served
):
    sender = new_sender()
    await login(bank, corebank, sender)
    tracker = make_tracker(
        sender, "123456", intent, slots={"pending_intent": pending}, active_loop="login_form"
    )
    events, _ = await run(ActionCheckLogin(), tracker)
    assert slot_events(events) == {"logged_in": True, "pending_intent": served}


async def test_gate_logged_in_explicit_login_serves_nothing(bank, corebank):
    """'log me in' while logged in must not re-run the request served before it."""
    sender = new_sender()
    await login(bank, corebank, sender)
    tracker = make_tracker(sender, "log me in", "login", slots={"pending_intent": "check_balance"})
    events, _ = await run(ActionCheckLogin(), tracker)
    assert slot_events(events) == {"logged_in": True, "pending_intent": None}
