"""Bill payments: the form, its questions, the payment, receipts, repeat, templates and history,
driven in-process (rasa-sdk dispatcher + a Tracker from JSON) against a real sandbox over HTTP
(its legacy SOAP API), with the ledger invariant checked after every scenario."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest

from actions.bill_payments import catalog
from actions.bill_payments.ask import (
    ActionAskBillAccount,
    ActionAskBillAmount,
    ActionAskBillConfirmed,
    ActionAskBillMeter,
    ActionAskBillProvider,
)
from actions.bill_payments.cancel import ActionCancelBill
from actions.bill_payments.completed import ActionBillCompleted
from actions.bill_payments.form import ValidateBillForm
from actions.bill_payments.history import ActionBillHistory, period_in
from actions.bill_payments.pay import _answer_lost
from actions.bill_payments.templates import ActionBillTemplates, ActionSaveBillTemplate
from actions.common.otp import OTP_SLOT
from tests.actions.helpers import WRAPPER_ENV, make_tracker, responses, run, slot_events, texts

ANNA = "+380501112233"  # Vodafone number, 25,000 UAH
TARAS = "+380671234567"  # Kyivstar number, 1,500 UAH
ASK = {
    "bill_provider": ActionAskBillProvider,
    "bill_account": ActionAskBillAccount,
    "bill_meter": ActionAskBillMeter,
    "bill_amount": ActionAskBillAmount,
    "bill_confirmed": ActionAskBillConfirmed,
}


@pytest.fixture(scope="module")
def sandbox(corebank_factory):
    return corebank_factory()


@pytest.fixture
async def bank(sandbox, monkeypatch):
    from bankclient import close_bank, get_bank

    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, sandbox.env[name])
    monkeypatch.setenv("MEDIA_DIR", str(sandbox.workdir / "media"))
    catalog._cache = None
    await close_bank()
    yield get_bank()
    await close_bank()
    sandbox.clear_faults()
    assert sandbox.check_ledger()["balanced"] is True


class Chat:
    """One customer's conversation with the bill form, turn by turn; each turn also runs the
    question the form asks next, as Rasa would."""

    def __init__(self, sandbox, phone: str = ANNA):
        self.sandbox = sandbox
        self.sender = f"bill-{uuid.uuid4().hex[:12]}"
        self.identity = f"rest:{self.sender}"
        self.slots: dict = {"logged_in": True}
        self.history: list[dict] = []
        self.messages: list[dict] = []
        sandbox.login(phone, self.identity)

    def _tracker(self, text, intent, entities=None, active_loop="bill_form"):
        history = list(self.history)
        tracker = make_tracker(self.sender, text, intent, slots=dict(self.slots),
                               active_loop=active_loop, history=history)
        tracker.latest_message["entities"] = entities or []
        tracker.events[-2]["parse_data"] = tracker.latest_message
        tracker.events[-2]["message_id"] = uuid.uuid4().hex if intent == "pay_bill" else None
        return tracker

    async def say(self, text: str, intent: str = "inform", entities: list | None = None):
        tracker = self._tracker(text, intent, entities)
        if intent == "pay_bill":
            self.request_event = tracker.events[-2]
        elif getattr(self, "request_event", None):
            tracker.events.insert(0, self.request_event)
        events, messages = await run(ValidateBillForm(), tracker)
        # Rasa rejects the form (its messages are dropped, a fallback answers) when a question
        # was open and the validation set no slot but `requested_slot`.
        filled = [e for e in events if e.get("event") == "slot" and e["name"] != "requested_slot"]
        self.rejected = bool(self.slots.get("requested_slot")) and not filled
        if self.rejected:
            self.messages = []
            return []
        self.slots.update(slot_events(events))
        asked = self.slots.get("requested_slot")
        if asked in ASK and not self.slots.get("bill_status"):
            _, question = await run(ASK[asked](), self._tracker(text, intent))
            messages = messages + question
        self.messages = messages
        return messages

    async def finish(self):
        events, messages = await run(ActionBillCompleted(), self._tracker("", None, None, None))
        self.slots.update(slot_events(events))
        return messages

    async def action(self, action, text, intent, entities=None):
        tracker = self._tracker(text, intent, entities, active_loop=None)
        events, messages = await run(action, tracker)
        self.slots.update(slot_events(events))
        return messages

    def balance(self) -> Decimal:
        with self.sandbox.client("accounts", self.identity) as client:
            accounts = client.get("/api/v1/me/accounts").json()
        return next(Decimal(a["balance"]) for a in accounts if a["currency"] == "UAH")


def ent(name: str, value: str) -> dict:
    return {"entity": name, "value": value}


def payload_entities(payload: str) -> list[dict]:
    data = json.loads(payload[payload.index("{"):])
    return [ent(k, v) for k, v in data.items()]


# ------------------------------------------------------------------------ catalog


async def test_catalog_has_three_providers_per_category_with_debt_minimum_and_fee(bank):
    providers = await catalog.providers()
    for category in catalog.CATEGORIES:
        assert len(catalog.in_category(providers, category)) >= 3, category
    assert any(p.shows_debt for p in providers)
    assert any(p.min_amount and p.min_amount > 1 for p in providers)
    assert any(p.fee(Decimal("100")) > 0 for p in providers)
    assert all(p.fields and p.field("account") for p in providers)


@pytest.mark.parametrize(("text", "provider_id"), [
    ("pay kievstar", "kyivstar"), ("vodafon top up", "vodafone"), ("pay naftohaz", "naftogaz"),
    ("pay electricity", "yasno"), ("pay the light bill", "yasno"), ("pay kyivteplo", "teplo"),
    ("pay volya tv", "volia_tv"), ("viasad 200", "viasat"), ("pay mehoho", "megogo"),
    ("triola internet", "triolan"), ("datagrup", "datagroup"), ("buy a metro pass",
                                                                "kyiv_smart_card"),
    ("lviv ticket", "lviv_eticket"), ("pay for tv", None), ("pay unicorn services", None),
])
async def test_provider_from_free_text(bank, text, provider_id):
    found = catalog.provider_in(await catalog.providers(), text)
    assert (found.provider_id if found else None) == provider_id


@pytest.mark.parametrize("phone", [
    "+380 67 123 45 67", "380671234567", "067-123-45-67", "(067) 123 4567", "0671234567",
    "+38 067 123 45 67",
])
async def test_operator_from_phone_prefix_in_every_local_format(bank, phone):
    providers = await catalog.providers()
    assert catalog.phones_in(f"put 50 on {phone}") == [phone]
    assert catalog.mobile_for(providers, phone).provider_id == "kyivstar"
    value, problem = catalog.check_field(catalog.mobile_for(providers, phone), "account", phone)
    assert (value, problem) == ("+380671234567", None)


async def test_field_validation_comes_from_the_catalog(bank):
    providers = await catalog.providers()
    for provider in providers:
        field = provider.field("account")
        value, problem = catalog.check_field(provider, "account", field.example)
        assert problem is None and value, provider.provider_id
        value, problem = catalog.check_field(provider, "account", "12")
        assert value is None and problem.startswith(field.label), provider.provider_id
    teplo = catalog.by_id(providers, "teplo")
    assert catalog.check_field(teplo, "account", "123456789012")[1]  # bad check digit


# ------------------------------------------------------------------------ happy paths


async def test_top_up_my_phone_in_one_message_then_again(bank, sandbox):
    taras = Chat(sandbox, TARAS)
    before = taras.balance()
    messages = await taras.say("top up my phone 100", "pay_bill", [ent("amount", "100")])
    assert taras.slots["requested_slot"] == "bill_confirmed", texts(messages)
    assert taras.slots["bill_provider"] == "kyivstar"  # from the customer's own number
    assert texts(messages) == (
        "Pay 100.00 UAH to Kyivstar, phone number •••• 4567? Fee: 0.00 UAH. Total: 100.00 UAH."
    )
    await taras.say("yes", "affirm")
    assert taras.slots["bill_status"] == "completed"
    assert taras.slots["requested_slot"] is None
    done = await taras.finish()
    assert responses(done) == ["utter_bill_paid", "utter_bill_receipt_caption",
                               "utter_bill_offer_template"]
    assert done[0]["balance"] == f"{before - 100:,.2f} UAH"
    assert done[1]["image_url"].endswith(".png")
    assert done[2]["attachment"]["url"].endswith(".pdf")
    assert taras.balance() == before - 100
    assert taras.slots["bill_last"]["provider_id"] == "kyivstar"

    # "pay my phone again": the last payment to that provider, straight to the confirmation
    messages = await taras.say("pay my phone again", "pay_bill")
    assert taras.slots["requested_slot"] == "bill_confirmed", texts(messages)
    assert taras.slots["bill_amount"] == "100.00"

    # history
    messages = await taras.action(ActionBillHistory(), "what did i pay for my phone this year",
                                  "bill_history")
    assert responses(messages) == ["utter_bill_history"]
    assert messages[0]["count"] == 1 and messages[0]["total"] == "100.00 UAH"


async def test_step_by_step_category_provider_buttons_fee_and_wrong_format(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    messages = await anna.say("pay for tv", "pay_bill")
    assert anna.slots["requested_slot"] == "bill_provider"
    titles = [b["title"] for b in messages[-1]["buttons"]]
    assert titles == ["Volia TV", "Viasat", "MEGOGO"]
    viasat = next(b for b in messages[-1]["buttons"] if b["title"] == "Viasat")
    messages = await anna.say(viasat["payload"], "inform", payload_entities(viasat["payload"]))
    assert anna.slots["requested_slot"] == "bill_account"
    assert "smart card number for Viasat" in texts(messages)
    messages = await anna.say("12345", "inform")
    assert responses(messages) == ["utter_bill_field_invalid", "utter_ask_bill_account"]
    assert messages[0]["problem"].startswith("Smart card number for Viasat must be 12 digits")
    assert anna.slots["requested_slot"] == "bill_account"
    await anna.say("1234 5678 9015", "inform")
    assert anna.slots["bill_account"] == "123456789015"
    assert anna.slots["requested_slot"] == "bill_amount"
    messages = await anna.say("two hundred", "inform")
    assert "Fee: 5.00 UAH. Total: 205.00 UAH." in texts(messages)
    await anna.say("/affirm", "affirm")
    assert anna.slots["bill_status"] == "completed"
    assert anna.balance() == before - Decimal("205.00")


async def test_debt_is_shown_first_and_another_amount_may_be_paid(bank, sandbox):
    anna = Chat(sandbox)
    await anna.say("pay electricity", "pay_bill")
    assert anna.slots["bill_provider"] == "yasno"
    for account in ("2500123456", "2500123457", "2500123458", "2500123459"):
        await anna.say(account, "inform")
        if anna.slots["bill_debt"] and Decimal(anna.slots["bill_debt"]["amount"]) > 0:
            break
        anna.slots.update({"bill_account": None, "bill_debt": None,
                           "requested_slot": "bill_account"})
    debt = anna.slots["bill_debt"]
    assert "due for" in texts(anna.messages) and debt["amount"] in texts(anna.messages).replace(
        ",", "")
    await anna.say("/change_amount", "change_amount")
    await anna.say("120", "inform")
    assert anna.slots["bill_amount"] == "120.00"
    assert anna.slots["requested_slot"] == "bill_confirmed"


async def test_a_new_amount_in_change_amount_is_quoted_at_once(bank, sandbox):
    """Found chatting through make run: "actually make it 150" at the confirmation (intent
    change_amount with the amount) asked for the amount again instead of taking it."""
    anna = Chat(sandbox)
    await anna.say("top up my phone 100", "pay_bill", [ent("amount", "100")])
    assert anna.slots["requested_slot"] == "bill_confirmed", texts(anna.messages)
    messages = await anna.say("actually make it 150", "change_amount", [ent("amount", "150")])
    assert anna.slots["bill_amount"] == "150.00"
    assert anna.slots["requested_slot"] == "bill_confirmed"
    assert "150.00 UAH" in texts(messages)


async def test_yes_at_the_amount_question_with_nothing_owed_is_answered(bank, sandbox):
    anna = Chat(sandbox)
    await anna.say("top up my phone", "pay_bill")
    assert anna.slots["requested_slot"] == "bill_amount", texts(anna.messages)
    messages = await anna.say("yes", "affirm")
    assert responses(messages)[0] == "utter_bill_amount_invalid"
    assert anna.slots["requested_slot"] == "bill_amount" and not anna.slots.get("bill_amount")


async def test_pay_it_all_pays_the_debt(bank, sandbox):
    anna = Chat(sandbox)
    for n in range(10):
        anna.slots = {"logged_in": True}
        await anna.say(f"pay internet triolan contract 45678{n}1", "pay_bill")
        debt = anna.slots.get("bill_debt") or {}
        if debt and Decimal(debt["amount"]) > 0:
            break
    await anna.say("yes", "affirm")
    assert anna.slots["bill_amount"] == debt["amount"]


async def test_step_up_above_the_threshold(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    await anna.say("pay naftogaz 600 account 4100456789", "pay_bill", [ent("amount", "600")])
    assert anna.slots["requested_slot"] == "bill_confirmed", texts(anna.messages)
    messages = await anna.say("yes", "affirm")
    assert responses(messages) == ["utter_bill_step_up_needed"]
    assert anna.slots["requested_slot"] == OTP_SLOT
    await anna.say("000000", "inform")  # wrong
    assert anna.slots["requested_slot"] == OTP_SLOT and anna.balance() == before
    await anna.say(sandbox.sms_code(ANNA), "inform")
    assert anna.slots["bill_status"] == "completed", texts(anna.messages)
    assert anna.slots[OTP_SLOT] == "[redacted]"
    assert anna.balance() == before - 600


# ------------------------------------------------------------------------ unhappy paths


async def test_unknown_provider_gets_the_categories(bank, sandbox):
    anna = Chat(sandbox)
    messages = await anna.say("pay my bills", "pay_bill")
    assert anna.slots["requested_slot"] == "bill_provider"
    assert [b["title"] for b in messages[-1]["buttons"]] == [
        "Mobile", "Utilities", "TV", "Internet", "Transport"]
    messages = await anna.say("zzzcorp", "inform")
    assert responses(messages)[0] == "utter_bill_unknown_provider"
    assert anna.slots["requested_slot"] == "bill_provider"


async def test_provider_says_the_account_does_not_exist(bank, sandbox):
    anna = Chat(sandbox)
    messages = await anna.say("pay volia contract 10230000", "pay_bill")
    assert responses(messages)[0] == "utter_bill_account_unknown"
    assert anna.slots["requested_slot"] == "bill_account"


async def test_amount_outside_the_provider_limits(bank, sandbox):
    anna = Chat(sandbox)
    messages = await anna.say("pay megogo 10 account 512345678", "pay_bill",
                              [ent("amount", "10")])
    assert responses(messages) == ["utter_bill_amount_invalid", "utter_ask_bill_amount"]
    assert messages[0]["problem"] == "MEGOGO accepts from 49.00 to 50000.00 UAH."
    assert anna.slots["requested_slot"] == "bill_amount"


async def test_insufficient_funds_said_at_the_quote_before_any_code(bank, sandbox):
    taras = Chat(sandbox, TARAS)  # 1,500 UAH; 5,000 is above the step-up threshold
    before = taras.balance()
    messages = await taras.say("pay yasno 5000 account 2500123456", "pay_bill",
                               [ent("amount", "5000")])
    assert responses(messages)[0] == "utter_bill_amount_invalid", texts(messages)
    assert messages[0]["problem"] == (
        "There isn't enough money on your account for this: the total with the fee is "
        "5,000.00 UAH.")
    assert taras.slots["requested_slot"] == "bill_amount"  # asked again, no code sent
    assert not taras.slots.get("bill_challenge_id") and not taras.slots.get("bill_quote")
    assert taras.slots["bill_account"] == "2500123456"
    await taras.say("300", "inform")
    assert taras.slots["requested_slot"] == "bill_confirmed"
    await taras.say("yes", "affirm")
    assert taras.slots["bill_status"] == "completed"
    assert taras.balance() == before - 300


async def test_insufficient_funds_at_posting_time_pays_nothing(bank, sandbox):
    """The money goes elsewhere between the quote and the payment: the posting refuses."""
    taras = Chat(sandbox, TARAS)
    await taras.say("pay yasno 1000 account 2500123456", "pay_bill", [ent("amount", "1000")])
    assert taras.slots["requested_slot"] == "bill_confirmed", texts(taras.messages)
    other = Chat(sandbox, TARAS)  # the same customer pays something else meanwhile
    await other.say("pay yasno 900 account 2500123457", "pay_bill", [ent("amount", "900")])
    await other.say("yes", "affirm")
    if other.slots.get("requested_slot") == OTP_SLOT:
        await other.say(sandbox.sms_code(TARAS), "inform")
    assert other.slots["bill_status"] == "completed", texts(other.messages)
    before = taras.balance()
    messages = await taras.say("yes", "affirm")
    if taras.slots.get("requested_slot") == OTP_SLOT:
        messages = await taras.say(sandbox.sms_code(TARAS), "inform")
    assert responses(messages) == ["utter_bill_failed"]
    assert "enough" in messages[0]["reason"]
    assert taras.slots["bill_status"] == "failed"
    assert taras.balance() == before


async def test_unknown_provider_named_in_the_first_message_is_said(bank, sandbox):
    anna = Chat(sandbox)
    messages = await anna.say("pay skynet 100", "pay_bill", [ent("amount", "100")])
    assert responses(messages)[0] == "utter_bill_provider_not_found"
    assert messages[0]["name"] == "skynet"
    assert [b["title"] for b in messages[-1]["buttons"]] == [
        "Mobile", "Utilities", "TV", "Internet", "Transport"]
    assert anna.slots["requested_slot"] == "bill_provider"
    assert anna.slots["bill_amount"] == "100.00"
    # the NLU's provider entity names it too; numbers are never echoed as a name
    messages = await Chat(sandbox).say("top up sky net please", "pay_bill",
                                       [ent("bill_provider", "sky net")])
    assert messages[0]["name"] == "sky net"
    for text in ("pay my bills", "pay 100", "pay contract DG12345", "pay for tv",
                 "pay 50 account 12345678", "i want to pay a bill"):
        messages = await Chat(sandbox).say(text, "pay_bill")
        assert "utter_bill_provider_not_found" not in responses(messages), text


async def test_meter_reading_is_asked_and_checked_by_the_catalog(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    messages = await anna.say("pay water 150 account 31245678", "pay_bill",
                              [ent("amount", "150")])
    assert anna.slots["requested_slot"] == "bill_meter", texts(messages)
    assert texts(messages) == (
        "What's the meter reading for Kyivvodokanal Water? It's up to 6 digits, e.g. 04512.")
    messages = await anna.say("1234567", "inform")  # 7 digits: the field's rule refuses it
    assert responses(messages)[0] == "utter_bill_field_invalid"
    assert messages[0]["problem"] == (
        "Meter reading for Kyivvodokanal Water must be up to 6 digits (for example 04512).")
    assert anna.slots["requested_slot"] == "bill_meter"
    assert anna.slots["bill_amount"] == "150.00"  # a number it did not ask for: not the amount
    messages = await anna.say("it shows", "inform")
    assert messages[0]["problem"] == "Meter reading must be up to 6 digits."
    await anna.say("4512", "inform")
    assert anna.slots["requested_slot"] == "bill_confirmed", texts(anna.messages)
    assert anna.slots["bill_quote"]["meter"] == "4512"
    assert anna.slots["bill_amount"] == "150.00"
    await anna.say("yes", "affirm")
    assert anna.slots["bill_status"] == "completed"
    assert anna.balance() == before - 150
    # providers without a meter field are never asked for one
    other = Chat(sandbox)
    await other.say("pay volia 100 contract 10234567", "pay_bill", [ent("amount", "100")])
    assert other.slots["requested_slot"] == "bill_confirmed", texts(other.messages)


async def test_cancel_at_the_confirmation_pays_nothing(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    await anna.say("put 50 on 067 123 45 67", "pay_bill", [ent("amount", "50")])
    assert anna.slots["bill_provider"] == "kyivstar"
    messages = await anna.action(ActionCancelBill(), "no", "deny")
    assert responses(messages) == ["utter_bill_cancelled"]
    assert anna.balance() == before


async def test_change_the_amount_at_the_confirmation(bank, sandbox):
    anna = Chat(sandbox)
    await anna.say("put 50 on 067 123 45 67", "pay_bill", [ent("amount", "50")])
    messages = await anna.say("make it 80", "inform", [ent("amount", "80")])
    assert anna.slots["bill_amount"] == "80.00"
    assert "Total: 80.00 UAH" in texts(messages)


async def test_doubled_confirmation_pays_once(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    await anna.say("put 30 on 067 123 45 67", "pay_bill", [ent("amount", "30")])
    confirming = dict(anna.slots)
    await anna.say("yes", "affirm")
    first = anna.slots["bill_result"]["payment_id"]
    anna.slots = confirming
    await anna.say("yes", "affirm")
    assert anna.slots["bill_result"]["payment_id"] == first
    assert anna.balance() == before - 30


async def test_a_lost_answer_is_looked_up_by_its_key(bank, sandbox):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.bill_payments.flow import payment_key

    anna = Chat(sandbox)
    await anna.say("put 25 on 067 123 45 67", "pay_bill", [ent("amount", "25")])
    quote = anna.slots["bill_quote"]
    dispatcher = CollectingDispatcher()
    # nothing paid under the key yet: the customer is told so and may tap Pay again
    outcome = await _answer_lost(dispatcher, anna.identity, quote["key"], quote)
    assert responses(dispatcher.messages) == ["utter_bill_bank_unavailable_retry"]
    assert outcome["bill_confirmed"] is None
    # the payment went through but its answer was lost: found by its key, reported as done
    await bank.bills.pay(anna.identity, quote["provider_id"], quote["account"],
                         Decimal(quote["amount"]), idempotency_key=quote["key"])
    dispatcher = CollectingDispatcher()
    outcome = await _answer_lost(dispatcher, anna.identity, quote["key"], quote)
    assert outcome["bill_status"] == "completed" and dispatcher.messages == []
    assert payment_key  # the key scheme is the flow's


async def test_hanging_legacy_system_pays_nothing_twice(bank, sandbox):
    anna = Chat(sandbox)
    await anna.say("put 20 on 067 123 45 67", "pay_bill", [ent("amount", "20")])
    before = anna.balance()
    sandbox.set_faults(hang=True, paths=["/soap/legacy"])
    messages = await anna.say("yes", "affirm")
    sandbox.clear_faults()
    assert responses(messages) in (["utter_bill_outcome_unknown"],
                                   ["utter_bill_bank_unavailable_retry"])
    # whatever the customer does next, the same key: at most one payment
    anna.slots.update({"bill_status": None, "requested_slot": "bill_confirmed"})
    await anna.say("yes", "affirm")
    assert anna.balance() == before - 20


# ------------------------------------------------------------------------ templates


async def test_templates_save_list_use_remove(bank, sandbox):
    anna = Chat(sandbox)
    await anna.say("put 40 on 067 123 45 67", "pay_bill", [ent("amount", "40")])
    await anna.say("yes", "affirm")
    await anna.finish()
    messages = await anna.action(ActionSaveBillTemplate(), "save it", "save_bill_template")
    assert responses(messages) == ["utter_bill_template_saved"]
    messages = await anna.action(ActionBillTemplates(), "my templates", "bill_templates")
    pay_button, remove_button = messages[0]["buttons"]
    assert pay_button["title"] == "Pay Kyivstar •••• 4567 40.00 UAH"
    anna.slots.update({"bill_last": None, "requested_slot": None})
    messages = await anna.say(pay_button["payload"], "pay_bill",
                              payload_entities(pay_button["payload"]))
    assert anna.slots["requested_slot"] == "bill_confirmed"
    assert "Pay 40.00 UAH to Kyivstar" in texts(messages)
    messages = await anna.action(ActionBillTemplates(), remove_button["payload"],
                                 "bill_templates", payload_entities(remove_button["payload"]))
    assert responses(messages) == ["utter_bill_template_removed"]
    messages = await anna.action(ActionBillTemplates(), "my templates", "bill_templates")
    assert responses(messages) == ["utter_bill_templates_empty"]


def test_period_in_words():
    from datetime import date

    today = date(2026, 3, 15)
    assert period_in("what did i pay this year", today) == ("2026-01-01", "this year")
    assert period_in("this month", today) == ("2026-03-01", "this month")
    assert period_in("last month", today)[0] == "2026-02-01"
    assert period_in("show payments", today) == (None, "recently")


def test_billing_period_is_said_in_words():
    from actions.bill_payments.ask import period_words

    assert period_words("2026-10") == "October 2026"
    assert period_words(None) == "now" and period_words("Q3") == "Q3"
