"""Card refill end to end: the actions create the top-up at a real sandbox, the hosted page is
paid over HTTP, the bank's signed webhook reaches the real action server, which tells Rasa (a
recording stand-in) to message the customer. Money invariants after each one."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest

from actions.payment_requests.form import ValidatePaymentRequestForm
from actions.topups.cancel import ActionCancelTopup
from actions.topups.create import ActionCreateTopup
from actions.topups.form import ValidateTopupForm
from tests.actions.helpers import make_tracker, responses, run, slot_events
from tests.actions.hosted_page import Customer, pay, use_sandbox
from tests.actions.notifications.stack import start_webhook_stack


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
    ("loop", "response"),
    [("topup_form", "utter_topup_cancelled"),
     ("payment_request_form", "utter_payment_request_cancelled")],
)  # fmt: skip
async def test_cancel_ends_either_amount_form_and_forgets_it(loop, response):
    assert ValidatePaymentRequestForm.form == "payment_request_form"  # shares this cancel rule
    tracker = make_tracker("c1", "no", "deny", active_loop=loop,
                           slots={"topup_amount": "100.00", "request_amount": "5.00",
                                  "request_note": "pizza", "requested_slot": "request_amount"})
    events, messages = await run(ActionCancelTopup(), tracker)
    assert responses(messages) == [response]
    assert events[0] == {"event": "active_loop", "name": None, "timestamp": None}
    slots = slot_events(events)
    assert set(slots) == {"requested_slot", "topup_amount", "topup_currency", "request_amount",
                          "request_currency", "request_note"}
    assert set(slots.values()) == {None}


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
    from bankclient import close_bank

    await close_bank()
