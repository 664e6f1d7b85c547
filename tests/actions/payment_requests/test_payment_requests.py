"""Payment requests: the note taken from the request, and a request paid by a friend end to end
(real sandbox, hosted page over HTTP, the bank's webhook to the real action server)."""

from __future__ import annotations

from actions.payment_requests.create import ActionCreatePaymentRequest
from actions.payment_requests.form import ValidatePaymentRequestForm
from actions.payment_requests.note import note_from
from tests.actions.helpers import responses
from tests.actions.hosted_page import Customer, pay


def test_note_from_the_request():
    assert note_from("request 200 from my brother for the concert tickets") == "concert tickets"
    assert note_from("i want to collect 300 from friends for a gift") == "gift"
    assert note_from("ask for 50 dollars") is None
    assert note_from("request money") is None


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
