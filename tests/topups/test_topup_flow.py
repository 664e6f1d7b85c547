"""Card refill and payment requests end to end: the actions create them at a real sandbox, the
hosted page is paid over HTTP, the bank's signed webhook reaches the real action server, which
tells Rasa (a recording stand-in) to message the customer. Money invariants after each one."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from actions.payment_requests import (
    ActionCreatePaymentRequest,
    ValidatePaymentRequestForm,
    note_from,
)
from actions.topups import ActionCreateTopup, ActionNotifyBankEvent, ValidateTopupForm
from tests.actions.helpers import make_tracker, responses, run, slot_events
from tests.topups.stack import start_webhook_stack

TARAS = "+380671234567"
WRAPPER_ENV = ("COREBANK_URL", "COREBANK_REALM", "COREBANK_CLIENT_ID", "COREBANK_CLIENT_SECRET",
               "COREBANK_SOAP_USER", "COREBANK_SOAP_PASSWORD")
NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')
CODE_RE = re.compile(r'id="code_hint">.*?<strong>(\d+)</strong>', re.S)


async def use_sandbox(sandbox, monkeypatch):
    from actions.bank import close_bank

    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, sandbox.env[name])
    with contextlib.suppress(RuntimeError):  # clients of an earlier test's (closed) loop
        await close_bank()


@pytest.fixture
async def stack(webhook_stack, monkeypatch):
    await use_sandbox(webhook_stack.sandbox, monkeypatch)
    yield webhook_stack
    from actions.bank import close_bank

    await close_bank()
    webhook_stack.sandbox.clear_faults()
    assert webhook_stack.sandbox.check_ledger()["balanced"] is True


class Customer:
    def __init__(self, sandbox, phone: str = TARAS):
        self.sandbox = sandbox
        self.sender = f"top-{uuid.uuid4().hex[:12]}"
        self.identity = f"rest:{self.sender}"
        sandbox.login(phone, self.identity)

    def balance(self) -> Decimal:
        with self.sandbox.client("accounts", self.identity) as client:
            accounts = client.get("/api/v1/me/accounts").json()
        return next(Decimal(a["balance"]) for a in accounts if a["currency"] == "UAH")

    async def form(self, action, text: str, intent: str, amount: str | None, loop: str) -> dict:
        tracker = make_tracker(self.sender, text, intent, slots={"logged_in": True})
        if amount:
            tracker.latest_message["entities"] = [{"entity": "amount", "value": amount}]
        events, messages = await run(action, tracker)
        assert messages == [], messages
        return slot_events(events)

    async def create(self, action, slots: dict) -> list[dict]:
        tracker = make_tracker(self.sender, "", None, slots={"logged_in": True, **slots})
        _, messages = await run(action, tracker)
        return messages


def pay(url: str, code: str | None = None, card: str = "4111 1111 1111 1111") -> httpx.Response:
    """What the payer does on the hosted page: card form, then the 3-D Secure code."""
    with httpx.Client(timeout=15) as client:
        page = client.get(url)
        assert page.status_code == 200, page.text[:200]
        page = client.post(url, data={"nonce": NONCE_RE.search(page.text).group(1),
                                      "card_number": card, "expiry": "12/30", "cvv": "123"})
        assert page.status_code == 200 and 'id="code"' in page.text, page.text[:300]
        hint = CODE_RE.search(page.text).group(1)
        return client.post(url, data={"nonce": NONCE_RE.search(page.text).group(1),
                                      "code": code or hint})


async def test_topup_paid_on_the_hosted_page_is_announced_once(stack):
    taras = Customer(stack.sandbox)
    before = taras.balance()
    slots = await taras.form(ValidateTopupForm(), "top up my card with 100", "top_up_card",
                             "100", "topup_form")
    assert slots["topup_amount"] == "100.00"
    messages = await taras.create(ActionCreateTopup(), slots)
    assert responses(messages) == ["utter_topup_link"]
    url = messages[0]["payment_url"]
    assert url.startswith(stack.sandbox.base_url + "/pay/topups/")

    done = pay(url)
    assert done.status_code == 200 and "Payment successful" in done.text
    calls = stack.rasa.wait_for(taras.sender)
    assert [c["body"]["name"] for c in calls] == ["EXTERNAL_topup_succeeded"]
    entities = calls[0]["body"]["entities"]
    assert entities["amount"] == "100.00" and entities["currency"] == "UAH"
    assert Decimal(entities["balance"]) == before + 100
    assert taras.balance() == before + 100

    # Paying the same link again charges nothing and announces nothing.
    again = httpx.get(url, timeout=10)
    assert again.status_code == 409
    time.sleep(1.5)
    assert len(stack.rasa.triggers(taras.sender)) == 1
    assert taras.balance() == before + 100


async def test_wrong_3ds_code_is_reported_and_nothing_credited(stack):
    taras = Customer(stack.sandbox)
    before = taras.balance()
    slots = await taras.form(ValidateTopupForm(), "refill 250", "top_up_card", "250",
                             "topup_form")
    messages = await taras.create(ActionCreateTopup(), slots)
    declined = pay(messages[0]["payment_url"], code="999999")
    assert declined.status_code == 402
    calls = stack.rasa.wait_for(taras.sender)
    assert calls[0]["body"]["name"] == "EXTERNAL_topup_failed"
    assert calls[0]["body"]["entities"]["reason"] == "3ds_failed"
    assert taras.balance() == before


async def test_payment_request_paid_by_a_friend(stack):
    taras = Customer(stack.sandbox)
    before = taras.balance()
    slots = await taras.form(ValidatePaymentRequestForm(),
                             "ask my brother for 200 for the concert tickets", "request_money",
                             "200", "payment_request_form")
    assert slots["request_amount"] == "200.00" and slots["request_note"] == "concert tickets"
    messages = await taras.create(ActionCreatePaymentRequest(), slots)
    assert responses(messages) == ["utter_payment_request_link"]
    url = messages[0]["url"]
    assert "/pay/requests/" in url
    assert pay(url, card="5555 5555 5555 4444").status_code == 200
    calls = stack.rasa.wait_for(taras.sender)
    assert calls[0]["body"]["name"] == "EXTERNAL_payment_request_paid"
    assert calls[0]["body"]["entities"]["note"] == "concert tickets"
    assert taras.balance() == before + 200


async def test_topup_when_the_bank_is_down(stack):
    taras = Customer(stack.sandbox)
    stack.sandbox.set_faults(error_rate=1.0, paths=["/api/v1/me/topups"])
    messages = await taras.create(ActionCreateTopup(), {"topup_amount": "100.00"})
    assert responses(messages) == ["utter_bank_unavailable"]


async def test_amount_asked_when_missing_and_refused_when_invalid(stack):
    taras = Customer(stack.sandbox)
    tracker = make_tracker(taras.sender, "top up my card", "top_up_card", slots={"logged_in": True})
    events, messages = await run(ValidateTopupForm(), tracker)
    assert slot_events(events).get("topup_amount") is None and messages == []
    tracker = make_tracker(taras.sender, "-5", "inform",
                           slots={"logged_in": True, "requested_slot": "topup_amount"},
                           active_loop="topup_form")
    events, messages = await run(ValidateTopupForm(), tracker)
    assert slot_events(events)["topup_amount"] is None
    assert responses(messages) == ["utter_topup_amount_invalid"]


@pytest.mark.parametrize(
    ("intent", "entities", "response", "check"),
    [
        ("EXTERNAL_topup_succeeded",
         {"amount": "100.00", "currency": "UAH", "balance": "1600.00", "masked_card": "•••• 0023"},
         "utter_topup_succeeded", {"amount": "100.00 UAH", "balance": "1,600.00 UAH"}),
        ("EXTERNAL_topup_failed", {"amount": "100.00", "reason": "expired"},
         "utter_topup_failed", {"reason": "the payment page wasn't completed in time"}),
        ("EXTERNAL_payment_request_paid", {"amount": "50.00", "note": "pizza"},
         "utter_payment_request_paid", {"note_text": " (pizza)"}),
    ],
)
async def test_the_proactive_messages(intent, entities, response, check):
    tracker = make_tracker("x", "", intent)
    tracker.latest_message["entities"] = [{"entity": k, "value": v} for k, v in entities.items()]
    _, messages = await run(ActionNotifyBankEvent(), tracker)
    assert responses(messages) == [response]
    for key, value in check.items():
        assert messages[0][key] == value


def test_note_from_the_request():
    assert note_from("request 200 from my brother for the concert tickets") == "concert tickets"
    assert note_from("i want to collect 300 from friends for a gift") == "gift"
    assert note_from("ask for 50 dollars") is None
    assert note_from("request money") is None


@pytest.fixture(scope="module")
def short_lived_stack(corebank_factory, tmp_path_factory):
    stack = start_webhook_stack(corebank_factory, tmp_path_factory.mktemp("abandoned"),
                                {"TOPUP_TTL_SECONDS": "2", "FEATURES_SWEEP_SECONDS": "0.5"})
    try:
        yield stack
    finally:
        stack.service.stop()
        stack.rasa.server.shutdown()


async def test_abandoned_topup_is_reported(short_lived_stack, monkeypatch):
    await use_sandbox(short_lived_stack.sandbox, monkeypatch)
    taras = Customer(short_lived_stack.sandbox)
    before = taras.balance()
    messages = await taras.create(ActionCreateTopup(), {"topup_amount": "300.00"})
    assert responses(messages) == ["utter_topup_link"]
    calls = short_lived_stack.rasa.wait_for(taras.sender, timeout=20)
    assert calls and calls[0]["body"]["name"] == "EXTERNAL_topup_failed"
    assert calls[0]["body"]["entities"]["reason"] == "expired"
    assert taras.balance() == before
    assert short_lived_stack.sandbox.check_ledger()["balanced"] is True
    from actions.bank import close_bank

    await close_bank()
