"""The login form (phone + one-time code), cancelling a login and logging out, against the real
sandbox over HTTP.

Actions run directly (rasa-sdk CollectingDispatcher + a Tracker built from JSON); the bank is the
`corebank` fixture, reached through the real bank client.
"""

from __future__ import annotations

import pytest

from actions.auth.cancel_login import ActionCancelLogin
from actions.auth.check_login import ActionCheckLogin
from tests.actions.helpers import make_tracker, responses, run, slot_events, texts
from tests.actions.login import (
    ANNA,
    ask_phone,
    new_sender,
    otp_ref,
    random_phone,
    send_code,
)


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
    assert slot_events(events) == {"phone_number": None, "requested_slot": "phone_number"}
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
    assert slot_events(events) == {"logged_in": True, "pending_intent": "check_balance"}


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
    assert slot_events(events) == {"otp_code": None, "requested_slot": "otp_code"}
    assert "isn't right" in texts(messages) and "2 attempts left" in texts(messages)

    await send_code(sender, wrong, slots)
    events, messages = await send_code(sender, wrong, slots)
    result = slot_events(events)
    assert result["login_aborted"] is True
    assert result["requested_slot"] is None  # the form ends
    assert "Too many wrong codes" in texts(messages) or "no attempts left" in texts(messages)

    # This chat cannot ask for a new code for that phone while locked ...
    events, messages = await ask_phone(sender, phone)
    assert slot_events(events)["login_aborted"] is True
    assert "Too many wrong codes" in texts(messages)
    # ... but the stranger's wrong codes do not lock the phone's owner out (another chat).
    events, messages = await ask_phone(new_sender(), phone)
    assert "login_aborted" not in slot_events(events)
    assert slot_events(events)["otp_challenge_id"]


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
