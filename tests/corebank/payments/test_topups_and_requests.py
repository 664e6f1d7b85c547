"""Top-ups and payment requests paid on the hosted page, signed webhooks (retried with the
same event id), expiry; money invariants after each scenario."""

from __future__ import annotations

import secrets
import time
from decimal import Decimal

import pytest

from tests.corebank.harness import (
    OTHER_BANK_CARD,
    TARAS_CARD,
    Bank,
    WebhookReceiver,
    new_topup,
    nonce,
    path,
    run_sandbox,
    state,
)


def pay(bank, url, card=OTHER_BANK_CARD, expiry="12/39", cvv="123", code="111111"):
    """Drive the hosted page: card form, then the 3-D Secure code. Returns the last response."""
    page = bank.http.get(url)
    assert page.status_code == 200, page.text
    for element in ('id="card_number"', 'id="expiry"', 'id="cvv"', 'id="submit"'):
        assert element in page.text
    r = bank.http.post(url, data={"nonce": nonce(page.text), "card_number": card,
                                  "expiry": expiry, "cvv": cvv})
    if r.status_code != 200 or code is None:
        return r
    assert 'id="code"' in r.text and "111111" in r.text
    assert card not in r.text and card[-4:] in r.text  # only the last 4 digits are shown
    return bank.http.post(url, data={"nonce": nonce(r.text), "code": code})


def test_topup_success_webhook_and_no_double_credit(bank, webhook_receiver):
    identity = bank.new_card_holder()
    card = bank.get("/api/v1/me/cards", identity).json()[0]
    key = secrets.token_hex(8)
    topup = new_topup(bank, identity, "250.00", key)
    assert new_topup(bank, identity, "250.00", key) == topup  # idempotent create
    assert topup["status"] == "pending" and topup["expires_in"] > 0
    url = path(bank, topup["payment_url"])
    journals = bank.ledger_check()["journals"]
    r = pay(bank, url)
    assert r.status_code == 200 and state(r.text) == "done", r.text
    assert bank.balance(identity) == Decimal("250.00")
    event = webhook_receiver.wait_for(lambda e: e["data"].get("topup_id") == topup["topup_id"])
    assert event["type"] == "topup.succeeded" and event["identity"] == identity
    assert event["data"] == {"topup_id": topup["topup_id"], "amount": "250.00",
                             "currency": "UAH", "masked_card": card["masked"],
                             "balance_after": "250.00"}
    assert event["event_id"] and event["created_at"]
    # completing again: clear page, no second credit
    replay = bank.http.post(url, data={"nonce": "whatever", "code": "111111"})
    assert replay.status_code == 409 and state(replay.text) == "already_paid"
    assert bank.http.get(url).status_code == 409
    assert bank.balance(identity) == Decimal("250.00")
    assert bank.ledger_check()["journals"] == journals + 1
    assert bank.get(f"/api/v1/me/topups/{topup['topup_id']}", identity).json()["status"] == \
        "succeeded"
    bank.assert_balanced()
    assert webhook_receiver.bad_signatures == 0


def test_topup_wrong_code_fails(bank, webhook_receiver):
    identity = bank.new_card_holder()
    topup = new_topup(bank, identity, "99.99")
    url = path(bank, topup["payment_url"])
    r = pay(bank, url, code="000000")
    assert r.status_code == 402 and state(r.text) == "failed"
    event = webhook_receiver.wait_for(lambda e: e["data"].get("topup_id") == topup["topup_id"])
    assert event["type"] == "topup.failed" and event["data"]["reason"] == "3ds_failed"
    assert event["data"]["balance_after"] == "0.00"
    assert bank.http.get(url).status_code == 410
    assert bank.balance(identity) == Decimal("0.00")
    bank.assert_balanced()


def test_topup_card_validation(bank):
    identity = bank.new_card_holder()
    url = path(bank, new_topup(bank, identity)["payment_url"])
    cases = [("4111111111111112", "12/39", "123", "not valid"),
             ("4111111111111111", "13/39", "123", "MM/YY"),
             ("4111111111111111", "01/20", "123", "expired"),
             ("4111111111111111", "12/39", "12", "CVV"),
             (TARAS_CARD, "12/39", "123", "other banks")]
    for number, expiry, cvv, message in cases:
        r = pay(bank, url, number, expiry, cvv, code=None)
        assert r.status_code == 422 and message in r.text, (number, r.text[-600:])
        assert number not in r.text
    r = bank.http.post(url, data={"nonce": "stale", "card_number": OTHER_BANK_CARD,
                                  "expiry": "12/39", "cvv": "123"})
    assert r.status_code == 400 and 'id="card_number"' in r.text
    assert bank.http.get("/pay/topups/top_nonexistent00000").status_code == 404
    for body in ({"amount": "0"}, {"amount": "10.001"}, {"amount": "5", "currency": "GBP"},
                 {"amount": "5", "card_id": "card_nope"}):
        r = bank.post("/api/v1/me/topups", body, identity, secrets.token_hex(8))
        assert r.status_code in (404, 422), r.text
    assert bank.balance(identity) == Decimal("0.00")


def test_webhook_retried_with_same_event_id(bank, webhook_receiver):
    identity = bank.new_card_holder()
    topup = new_topup(bank, identity, "10.00")
    webhook_receiver.fail_next = 2
    attempts_before = len(webhook_receiver.attempts)
    assert state(pay(bank, path(bank, topup["payment_url"])).text) == "done"
    event = webhook_receiver.wait_for(lambda e: e["data"].get("topup_id") == topup["topup_id"])
    tries = [a for a in webhook_receiver.attempts[attempts_before:]
             if a["event_id"] == event["event_id"]]
    assert len(tries) == 3  # two 500s, then delivered, always the same event_id


def test_payment_request_paid_once(bank, webhook_receiver):
    identity = bank.new_card_holder()
    r = bank.post("/api/v1/me/payment-requests",
                  {"amount": "75.00", "currency": "UAH", "note": "Pizza <b>night</b>"}, identity)
    assert r.status_code == 201, r.text
    req = r.json()
    url = path(bank, req["url"])
    page = bank.http.get(url)
    assert "Test P. asks you for money" in page.text and "&lt;b&gt;night" in page.text
    wrong = pay(bank, url, code="123456")  # a friend mistypes: may try again
    assert wrong.status_code == 402 and 'id="card_number"' in wrong.text
    r = pay(bank, url, card="5555555555554444")
    assert r.status_code == 200 and state(r.text) == "done"
    event = webhook_receiver.wait_for(lambda e: e["data"].get("request_id") == req["request_id"])
    assert event["type"] == "payment_request.paid" and event["data"]["amount"] == "75.00"
    assert event["data"]["payer_masked_card"] == "•••• 4444"
    again = bank.http.get(url)
    assert again.status_code == 409 and "already been made" in again.text
    assert bank.balance(identity) == Decimal("75.00")
    status = bank.get(f"/api/v1/me/payment-requests/{req['request_id']}", identity).json()
    assert status["status"] == "paid"
    for body in ({"amount": "-1"}, {"amount": "5", "note": "n" * 200}):
        r = bank.post("/api/v1/me/payment-requests", body, identity)
        assert r.status_code == 422, r.text
    bank.assert_balanced()


@pytest.fixture(scope="module")
def short_bank(tmp_path_factory):
    receiver = WebhookReceiver()
    tmp = tmp_path_factory.mktemp("corebank-short-ttl")
    with run_sandbox(tmp, receiver.url, TOPUP_TTL_SECONDS="2", SECURE_LINK_TTL_SECONDS="1",
                     QUOTE_TTL_SECONDS="1") as url:
        client = Bank(url)
        client.receiver = receiver
        yield client
        client.http.close()
    receiver.close()


def test_expiry(short_bank):
    bank = short_bank
    identity = bank.new_card_holder()
    card = bank.get("/api/v1/me/cards", identity).json()[0]
    r = bank.post("/api/v1/me/secure-links", {"purpose": "set_pin", "card_id": card["card_id"]},
                  identity)
    secure_url = path(bank, r.json()["url"])
    topup = new_topup(bank, identity, "20.00")
    fund = bank.post("/api/v1/ledger/accounts", {"kind": "settlement", "currency": "UAH"})
    bank.post("/api/v1/ledger/transfers",
              {"from_account": fund.json()["account_id"],
               "to_account": card["account_id"], "amount": "50.00", "currency": "UAH",
               "description": "funding"}, key=secrets.token_hex(8))
    q = bank.post("/api/v1/me/transfers/quote",
                  {"to_card_token": bank.tokenize(TARAS_CARD), "amount": "10.00"},
                  identity).json()
    time.sleep(2.5)
    expired = bank.http.get(secure_url)
    assert expired.status_code == 410 and "expired" in expired.text
    r = bank.post("/api/v1/me/transfers", {"quote_id": q["quote_id"]}, identity,
                  secrets.token_hex(8))
    assert r.status_code == 409 and r.json()["error"]["reason"] == "quote_expired"
    # the sweep fails the abandoned top-up and tells the assistant
    event = bank.receiver.wait_for(lambda e: e["data"].get("topup_id") == topup["topup_id"])
    assert event["type"] == "topup.failed" and event["data"]["reason"] == "expired"
    page = bank.http.get(path(bank, topup["payment_url"]))
    assert page.status_code == 410 and state(page.text) == "expired"
    assert bank.balance(identity) == Decimal("50.00")
    bank.assert_balanced()
