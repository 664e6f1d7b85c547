"""Transfers by card number: the form's validation, confirmation, step-up and execution against a
real sandbox over HTTP, with the money invariants checked after every scenario.

Actions run in-process (rasa-sdk CollectingDispatcher + a Tracker built from JSON). Each test
module gets its own sandbox (its own ledger), so balances here are not disturbed by other tests.
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import httpx
import pytest

from actions.transfers.cancel import ActionCancelTransfer
from actions.transfers.completed import ActionTransferCompleted
from actions.transfers.confirm import ActionAskTransferConfirmed
from actions.transfers.execute import execution_key
from actions.transfers.form import ValidateTransferForm
from tests.actions.helpers import WRAPPER_ENV, make_tracker, responses, run, slot_events, texts

ANNA = "+380501112233"  # 25,000 UAH + 10,000 credit, card 5168 7400 0000 0016
TARAS = "+380671234567"  # 1,500 UAH, card 4149 4900 0000 0023
TARAS_CARD = "4149490000000023"
IRYNA = "+380631234567"  # 800 UAH + 5,000 credit
ANNA_CARD = "5168740000000016"
IRYNA_BLOCKED_CARD = "4149490000000049"
OLENA_FROZEN_CARD = "5351450000000035"
OTHER_BANK_CARD = "4111111111111111"


# This module is about the form's mechanics: the amount rule (above 500) is its step-up case.
# The bank's other step-up rules (first transfer to a card, running daily total) are switched
# off here and tested in tests/actions/transfers/test_step_up_reasons.py and at the bank
# (tests/corebank/transfers/test_transfers.py).
FORM_MECHANICS_ENV = {"STEP_UP_NEW_RECIPIENT": "false", "STEP_UP_DAILY_THRESHOLD": "1000000"}


@pytest.fixture(scope="module")
def sandbox(corebank_factory):
    return corebank_factory(extra_env=FORM_MECHANICS_ENV)


@pytest.fixture
async def bank(sandbox, monkeypatch):
    from bankclient import close_bank, get_bank

    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, sandbox.env[name])
    monkeypatch.setenv("MEDIA_DIR", str(sandbox.workdir / "media"))
    await close_bank()
    yield get_bank()
    await close_bank()
    sandbox.clear_faults()
    # The invariant after every scenario: the ledger balances.
    assert sandbox.check_ledger()["balanced"] is True


class Chat:
    """One customer's conversation with the transfer form, turn by turn."""

    def __init__(self, sandbox, phone: str | None = ANNA):
        self.sandbox = sandbox
        self.sender = f"trf-{uuid.uuid4().hex[:12]}"
        self.identity = f"rest:{self.sender}"
        self.slots: dict = {"logged_in": True}
        self.messages: list[dict] = []
        self.phone = phone
        if phone:
            sandbox.login(phone, self.identity)

    async def say(self, text: str, intent: str = "inform", entities: list | None = None):
        tracker = make_tracker(
            self.sender, text, intent, slots=dict(self.slots), active_loop="transfer_form"
        )
        tracker.latest_message["entities"] = entities or []
        events, messages = await run(ValidateTransferForm(), tracker)
        self.slots.update(slot_events(events))
        self.messages = messages
        if self.slots.get("requested_slot") == "transfer_confirmed" and not self.slots.get(
            "transfer_status"
        ):
            tracker = make_tracker(self.sender, text, intent, slots=dict(self.slots))
            _, asked = await run(ActionAskTransferConfirmed(), tracker)
            self.messages = messages + asked
        return self.messages

    async def finish(self):
        tracker = make_tracker(self.sender, "", None, slots=dict(self.slots))
        events, messages = await run(ActionTransferCompleted(), tracker)
        self.slots.update(slot_events(events))
        return messages

    def balance(self, currency: str = "UAH") -> Decimal:
        with self.sandbox.client("accounts", self.identity) as client:
            accounts = client.get("/api/v1/me/accounts").json()
        return next(Decimal(a["balance"]) for a in accounts if a["currency"] == currency)


def ent(name: str, value: str) -> dict:
    return {"entity": name, "value": value}


async def card_token(bank, pan: str) -> str:
    """What the channel layer does with a typed card number."""
    return (await bank.vault.tokenize_card(pan)).card_token


def transfers_count(sandbox) -> int:
    return sandbox.check_ledger()["journals"]


# ------------------------------------------------------------------------------ happy paths


async def test_own_bank_transfer_in_one_message(bank, sandbox):
    anna, taras = Chat(sandbox), Chat(sandbox, TARAS)
    before_anna, before_taras = anna.balance(), taras.balance()
    token = await card_token(bank, TARAS_CARD)

    messages = await anna.say(
        f"send 50 to {token}", "transfer_money", [ent("amount", "50"), ent("card_token", token)]
    )
    assert anna.slots["requested_slot"] == "transfer_confirmed"
    assert anna.slots["transfer_card_masked"] == "•••• 0023"
    assert anna.slots["transfer_recipient"] == "Taras S."
    assert responses(messages) == ["utter_transfer_quote_own"]
    quote = messages[-1]
    assert quote["fee"] == "0.00 UAH" and quote["total"] == "50.00 UAH"
    assert TARAS_CARD not in str(anna.slots)

    messages = await anna.say("yes", "affirm")
    assert anna.slots["transfer_status"] == "completed"
    assert anna.slots["requested_slot"] is None  # the form ends
    done = await anna.finish()
    assert responses(done) == ["utter_transfer_done", "utter_transfer_receipt_caption"]
    assert done[0]["balance"] == f"{before_anna - 50:,.2f} UAH"
    assert done[1]["image_url"].endswith(".png")
    assert anna.slots["transfer_amount"] is None  # cleared for the next transfer
    assert anna.balance() == before_anna - 50
    assert taras.balance() == before_taras + 50


async def test_step_by_step_to_another_bank_with_a_fee(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    messages = await anna.say("i want to send money", "transfer_money")
    assert anna.slots["requested_slot"] == "transfer_amount" and messages == []
    await anna.say("two hundred", "inform")
    assert anna.slots["transfer_amount"] == "200.00"
    assert anna.slots["requested_slot"] == "transfer_card_token"
    token = await card_token(bank, OTHER_BANK_CARD)
    messages = await anna.say(token, "inform", [ent("card_token", token)])
    assert responses(messages) == ["utter_transfer_quote_network"]
    assert messages[-1]["fee"] == "5.00 UAH" and messages[-1]["total"] == "205.00 UAH"
    await anna.say("/affirm", "affirm")
    assert anna.slots["transfer_status"] == "completed"
    assert anna.balance() == before - Decimal("205.00")


async def test_doubled_confirmation_sends_once(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 10 to {token}", "transfer_money",
                   [ent("amount", "10"), ent("card_token", token)])
    confirming = dict(anna.slots)
    await anna.say("yes", "affirm")
    first = anna.slots["transfer_result"]["transfer_id"]
    journals = transfers_count(sandbox)
    # The same "yes" delivered again (double tap, retried webhook): same key, same answer.
    anna.slots = confirming
    await anna.say("yes", "affirm")
    assert anna.slots["transfer_result"]["transfer_id"] == first
    assert transfers_count(sandbox) == journals
    assert anna.balance() == before - 10


def test_idempotency_key_is_stable_per_conversation_and_quote():
    assert execution_key("rest:a", "qte_1") == execution_key("rest:a", "qte_1")
    assert execution_key("rest:a", "qte_1") != execution_key("rest:b", "qte_1")
    assert execution_key("rest:a", "qte_1") != execution_key("rest:a", "qte_2")


# ------------------------------------------------------------------------------ step-up


async def test_step_up_wrong_code_then_right_code(bank, sandbox):
    anna, taras = Chat(sandbox), Chat(sandbox, TARAS)
    before = anna.balance()
    before_taras = taras.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 800 to {token}", "transfer_money",
                   [ent("amount", "800"), ent("card_token", token)])
    messages = await anna.say("yes", "affirm")
    assert responses(messages) == ["utter_transfer_step_up_needed"]
    assert anna.slots["requested_slot"] == "otp_code"
    code = sandbox.sms_code(ANNA)
    wrong = "000000" if code != "000000" else "111111"
    ref = (await bank.vault.store_secret("otp", wrong)).secret_ref
    messages = await anna.say(ref, "inform", [ent("otp_ref", ref)])
    assert "isn't right" in texts(messages) and "left" in texts(messages)
    assert anna.slots["requested_slot"] == "otp_code" and anna.slots["otp_code"] is None
    assert anna.balance() == before  # nothing moved yet
    ref = (await bank.vault.store_secret("otp", code)).secret_ref
    await anna.say(ref, "inform", [ent("otp_ref", ref)])
    assert anna.slots["transfer_status"] == "completed"
    assert anna.slots["otp_code"] == "[redacted]"
    assert anna.balance() == before - 800
    assert taras.balance() == before_taras + 800


async def test_step_up_codes_exhausted_nothing_sent(bank, sandbox):
    # Iryna: this locks her phone for the rest of the module (nobody else here uses it).
    anna = Chat(sandbox, IRYNA)
    before = anna.balance()
    token = await card_token(bank, OTHER_BANK_CARD)
    await anna.say(f"send 600 to {token}", "transfer_money",
                   [ent("amount", "600"), ent("card_token", token)])
    await anna.say("yes", "affirm")
    code = sandbox.sms_code(IRYNA)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        if anna.slots.get("transfer_status"):
            break
        messages = await anna.say(wrong, "inform")  # a plain code (no redacting channel)
    assert anna.slots["transfer_status"] == "failed"
    assert "utter_transfer_otp_failed" in responses(messages)
    assert anna.slots["otp_code"] is None and wrong not in str(anna.slots)
    assert anna.balance() == before


async def test_new_step_up_code_on_request(bank, sandbox):
    anna = Chat(sandbox)
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 700 to {token}", "transfer_money",
                   [ent("amount", "700"), ent("card_token", token)])
    await anna.say("yes", "affirm")
    first_challenge = anna.slots["step_up_challenge_id"]
    messages = await anna.say("/resend_code", "resend_code")
    assert responses(messages) == ["utter_transfer_step_up_needed"]
    assert anna.slots["step_up_challenge_id"] not in (None, first_challenge)
    assert anna.slots["requested_slot"] == "otp_code"


# ------------------------------------------------------------------------------ unhappy paths


async def test_insufficient_funds_asks_for_a_smaller_amount(bank, sandbox):
    taras = Chat(sandbox, TARAS)
    before = taras.balance()
    token = await card_token(bank, ANNA_CARD)
    messages = await taras.say(f"send 5000 to {token}", "transfer_money",
                               [ent("amount", "5000"), ent("card_token", token)])
    assert responses(messages) == ["utter_transfer_insufficient_funds"]
    assert messages[0]["available"] == f"{before:,.2f} UAH"
    assert taras.slots["requested_slot"] == "transfer_amount"
    assert taras.slots["transfer_card_token"] == token  # the card is kept
    messages = await taras.say("100", "inform", [ent("amount", "100")])
    assert responses(messages) == ["utter_transfer_quote_own"]
    assert taras.balance() == before


async def test_limit_exceeded(bank, sandbox):
    anna = Chat(sandbox)
    token = await card_token(bank, TARAS_CARD)
    messages = await anna.say(f"send 31000 to {token}", "transfer_money",
                              [ent("amount", "31000"), ent("card_token", token)])
    assert responses(messages) == ["utter_transfer_limit_exceeded"]
    assert "30,000.00 UAH" in messages[0]["limit"]
    assert anna.slots["requested_slot"] == "transfer_amount"


@pytest.mark.parametrize(
    ("pan", "expected"),
    [
        (ANNA_CARD, "utter_transfer_own_card"),
        (IRYNA_BLOCKED_CARD, "utter_transfer_card_blocked"),
        (OLENA_FROZEN_CARD, "utter_transfer_card_blocked"),
    ],
)
async def test_recipient_card_refused(bank, sandbox, pan, expected):
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, pan)
    messages = await anna.say(f"send 20 to {token}", "transfer_money",
                              [ent("amount", "20"), ent("card_token", token)])
    assert responses(messages) == [expected]
    assert anna.slots["requested_slot"] == "transfer_card_token"
    assert anna.slots["transfer_card_token"] is None
    assert anna.slots["transfer_amount"] == "20.00"  # the amount is kept
    assert anna.balance() == before


async def test_card_number_failing_luhn_is_refused_and_never_kept(bank, sandbox):
    anna = Chat(sandbox)
    messages = await anna.say("send 50 to 4111 1111 1111 1112", "transfer_money",
                              [ent("amount", "50")])
    assert "utter_transfer_card_invalid" in responses(messages)
    assert anna.slots["requested_slot"] == "transfer_card_token"
    assert "1112" not in str(anna.slots)


async def test_the_channels_invalid_card_stand_in_is_refused(bank, sandbox):
    from bankclient.refs import CARD_TOKEN_INVALID

    anna = Chat(sandbox)  # what the channel makes of "send 50 to 4111.1111.1111.1112"
    messages = await anna.say(f"send 50 to {CARD_TOKEN_INVALID}", "transfer_money",
                              [ent("amount", "50")])
    assert "utter_transfer_card_invalid" in responses(messages)
    assert anna.slots["requested_slot"] == "transfer_card_token"
    assert anna.slots.get("transfer_card_token") is None


async def test_card_vault_unavailable_token(bank, sandbox):
    anna = Chat(sandbox)
    messages = await anna.say("send 50 to ctok_unavailable", "transfer_money",
                              [ent("amount", "50"), ent("card_token", "ctok_unavailable")])
    assert responses(messages) == ["utter_transfer_card_unavailable"]
    assert anna.slots["requested_slot"] == "transfer_card_token"


async def test_change_the_amount_before_confirming(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 100 to {token}", "transfer_money",
                   [ent("amount", "100"), ent("card_token", token)])
    first_quote = anna.slots["transfer_quote_id"]
    # The button: the form asks for the amount again.
    await anna.say("/change_amount", "change_amount")
    assert anna.slots["requested_slot"] == "transfer_amount"
    messages = await anna.say("120", "inform", [ent("amount", "120")])
    assert anna.slots["transfer_quote_id"] != first_quote
    assert messages[-1]["amount"] == "120.00 UAH"
    # A new amount typed at the confirmation re-quotes straight away.
    messages = await anna.say("actually make it 130", "change_amount", [ent("amount", "130")])
    assert messages[-1]["amount"] == "130.00 UAH"
    assert anna.slots["requested_slot"] == "transfer_confirmed"
    await anna.say("yes", "affirm")
    assert anna.balance() == before - 130


async def test_cancel_clears_everything(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 100 to {token}", "transfer_money",
                   [ent("amount", "100"), ent("card_token", token)])
    tracker = make_tracker(anna.sender, "no", "deny", slots=dict(anna.slots),
                           active_loop="transfer_form")
    events, messages = await run(ActionCancelTransfer(), tracker)
    slots = slot_events(events)
    assert responses(messages) == ["utter_transfer_cancelled"]
    assert slots["transfer_quote_id"] is None and slots["requested_slot"] is None
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert anna.balance() == before


async def test_not_logged_in_stops_with_a_clear_answer(bank, sandbox):
    stranger = Chat(sandbox, phone=None)
    token = await card_token(bank, TARAS_CARD)
    messages = await stranger.say(f"send 100 to {token}", "transfer_money",
                                  [ent("amount", "100"), ent("card_token", token)])
    assert responses(messages) == ["utter_transfer_session_expired"]
    assert stranger.slots["transfer_status"] == "failed"
    assert stranger.slots["logged_in"] is False


async def test_bank_down_at_the_quote(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, TARAS_CARD)
    sandbox.set_faults(error_rate=1.0, paths=["/api/v1/me/transfers/quote"])
    started = time.monotonic()
    messages = await anna.say(f"send 100 to {token}", "transfer_money",
                              [ent("amount", "100"), ent("card_token", token)])
    assert time.monotonic() - started < 3
    assert responses(messages) == ["utter_bank_unavailable"]
    assert anna.slots["transfer_status"] == "failed"
    sandbox.clear_faults()
    assert anna.balance() == before


async def test_bank_hangs_when_sending_then_the_retry_sends_once(bank, sandbox):
    anna, taras = Chat(sandbox), Chat(sandbox, TARAS)
    before, before_taras = anna.balance(), taras.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 40 to {token}", "transfer_money",
                   [ent("amount", "40"), ent("card_token", token)])
    sandbox.set_faults(hang=True, paths=["/api/v1/me/transfers"])
    started = time.monotonic()
    messages = await anna.say("yes", "affirm")
    assert time.monotonic() - started < 3  # a clear answer within 3 s
    assert "utter_transfer_bank_unavailable_retry" in responses(messages)
    assert anna.slots["requested_slot"] == "transfer_confirmed"
    assert not anna.slots.get("transfer_status")
    sandbox.clear_faults()
    await anna.say("/affirm", "affirm")
    assert anna.slots["transfer_status"] == "completed"
    assert anna.balance() == before - 40
    assert taras.balance() == before_taras + 40


async def test_a_committed_transfer_whose_answer_was_lost_is_not_sent_again(bank, sandbox):
    """The bank committed but the answer never came (simulated by replaying the same key):
    confirming again returns the first transfer, the money moves once."""
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 30 to {token}", "transfer_money",
                   [ent("amount", "30"), ent("card_token", token)])
    quote_id = anna.slots["transfer_quote_id"]
    key = execution_key(anna.identity, quote_id)
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as client:
        resp = client.post("/api/v1/me/transfers", json={"quote_id": quote_id},
                           headers=sandbox.headers("payments", anna.identity, key))
    assert resp.status_code == 201
    await anna.say("yes", "affirm")
    assert anna.slots["transfer_result"]["transfer_id"] == resp.json()["transfer_id"]
    assert anna.balance() == before - 30


async def test_cancel_after_a_lost_answer_tells_the_truth(bank, sandbox):
    """The bank committed the transfer but the answer was lost (the same key sent directly);
    "cancel" asks the bank about the key and does not claim that no money was sent."""
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 35 to {token}", "transfer_money",
                   [ent("amount", "35"), ent("card_token", token)])
    quote_id = anna.slots["transfer_quote_id"]
    key = execution_key(anna.identity, quote_id)
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as client:
        resp = client.post("/api/v1/me/transfers", json={"quote_id": quote_id},
                           headers=sandbox.headers("payments", anna.identity, key))
    assert resp.status_code == 201
    tracker = make_tracker(anna.sender, "cancel", "deny", slots=dict(anna.slots),
                           active_loop="transfer_form")
    events, messages = await run(ActionCancelTransfer(), tracker)
    assert responses(messages) == ["utter_transfer_cancel_already_sent"]
    assert resp.json()["receipt_no"] in str(messages)
    assert slot_events(events)["transfer_quote_id"] is None
    assert anna.balance() == before - 35  # sent once, and said so


async def test_cancel_when_the_bank_cannot_be_asked_does_not_claim_nothing_was_sent(bank,
                                                                                     sandbox):
    anna = Chat(sandbox)
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 36 to {token}", "transfer_money",
                   [ent("amount", "36"), ent("card_token", token)])
    sandbox.set_faults(error_rate=1.0, paths=["/api/v1/me/transfers/by-key"])
    tracker = make_tracker(anna.sender, "cancel", "deny", slots=dict(anna.slots),
                           active_loop="transfer_form")
    events, messages = await run(ActionCancelTransfer(), tracker)
    assert responses(messages) == ["utter_transfer_cancel_unknown"]
    assert "No money was sent" not in texts(messages)
