"""The bank's unprompted messages through the REAL Rasa (the webhook unit tests use a stand-in):
a customer starts a top-up or a payment request in the chat, the payer uses the bank's hosted
page, the sandbox sends its signed event to the action server, which injects it into Rasa, and
the customer reads the message in the conversation. The bank's balance is checked too."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.actions.hosted_page import pay
from tests.e2e.helpers import (
    TARAS_PHONE,
    assert_ledger_balanced,
    flat,
    log_in,
    money,
    uah_balance,
    wait_for_bot_text,
)

URL_RE = re.compile(r"https?://\S+?(?=[\s)]|$)")


def _link(texts: list[str]) -> str:
    for text in texts:
        if found := URL_RE.search(text):
            return found.group(0).rstrip(".")
    raise AssertionError(texts)


def _start(chat, rasa_server, corebank, prefix: str) -> str:
    sender = chat.new_sender(prefix)
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    return sender


def test_topup_succeeded_reaches_the_customer(chat, rasa_server, corebank) -> None:
    sender = _start(chat, rasa_server, corebank, "ev-topup")
    before = uah_balance(corebank, sender)
    url = _link(chat.texts(sender, "top up my card with 100 uah"))
    assert pay(url).status_code == 200
    told = wait_for_bot_text(rasa_server, sender, "Your card")
    after = before + Decimal("100.00")
    assert told == [
        f"Your card •••• 0023 was topped up with {money(100)}. Balance: {money(after)}."
    ]
    assert uah_balance(corebank, sender) == after
    assert_ledger_balanced(corebank)


def test_topup_failed_reaches_the_customer(chat, rasa_server, corebank) -> None:
    sender = _start(chat, rasa_server, corebank, "ev-topfail")
    before = uah_balance(corebank, sender)
    url = _link(chat.texts(sender, "top up 70"))
    pay(url, code="000000")  # the wrong 3-D Secure code
    told = wait_for_bot_text(rasa_server, sender, "The top-up")
    assert [flat(t) for t in told] == [
        f"The top-up of {money(70)} didn't go through (the card's confirmation code was wrong), "
        "so nothing was charged. Want to try again?"
    ]
    assert uah_balance(corebank, sender) == before
    assert_ledger_balanced(corebank)


def test_payment_request_paid_reaches_the_customer(chat, rasa_server, corebank) -> None:
    sender = _start(chat, rasa_server, corebank, "ev-request")
    before = uah_balance(corebank, sender)
    url = _link(chat.texts(sender, "ask a friend for 55 uah"))
    assert pay(url).status_code == 200
    told = wait_for_bot_text(rasa_server, sender, "Good news")
    after = before + Decimal("55.00")
    assert told == [
        f"Good news: your payment request was paid, {money(55)}. Balance: {money(after)}."
    ]
    assert uah_balance(corebank, sender) == after
    assert_ledger_balanced(corebank)


def _set_on_secure_page(url: str, field: str, value: str) -> None:
    import httpx

    with httpx.Client(timeout=10) as web:
        page = web.get(url).text
        nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
        done = web.post(url, data={"nonce": nonce, field: value, f"{field}_confirm": value})
    assert done.status_code == 200, done.text[-300:]


def test_pin_and_password_changed_reach_the_customer(chat, rasa_server, corebank) -> None:
    """The PIN / password is set on the bank's secure page (never in the chat); the bank's
    event tells the customer in the same conversation."""
    sender = _start(chat, rasa_server, corebank, "ev-pin")
    _set_on_secure_page(_link(chat.texts(sender, "forgot pin")), "pin", "5938")
    told = wait_for_bot_text(rasa_server, sender, "Your PIN")
    assert [flat(t) for t in told] == [
        "Your PIN for •••• 0023 has been changed. If it wasn't you, tell me \"block my card\" "
        "at once."]
    _set_on_secure_page(_link(chat.texts(sender, "change my password")), "password",
                        "Harbour-Light-73")
    told = wait_for_bot_text(rasa_server, sender, "Your password")
    assert [flat(t) for t in told] == [
        "Your password has been changed. If it wasn't you, write \"talk to a person\" right away."]
