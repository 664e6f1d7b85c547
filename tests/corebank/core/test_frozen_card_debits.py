"""A frozen card's account pays nothing (issue 28): the chat promises "no payments or
withdrawals will go through until you unfreeze it", so the bank refuses every debit of that
account with a typed 409 `card_frozen` (transfers at the quote and at the posting, bills at the
quote and when paid), changes nothing, and pays again once the card is unfrozen."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from tests.corebank.helpers import DEMO_OLENA, DEMO_TARAS, error_code, new_key
from tests.corebank.soap_client import call, fault_code, login_card, value

OTHER_BANK_CARD = "4111111111111111"


@pytest.fixture(scope="module")
def bank(corebank_factory):
    return corebank_factory()


def _post(bank, scope, path, body, identity=None, key=None):
    return bank.http.post(path, json=body, headers=bank.headers(scope, identity, key), timeout=15)


def _balance(bank, identity) -> Decimal:
    accounts = bank.http.get("/api/v1/me/accounts", headers=bank.headers("accounts", identity))
    return Decimal(next(a for a in accounts.json() if a["currency"] == "UAH")["balance"])


def _quote(bank, identity, amount):
    token = _post(bank, "vault", "/api/v1/vault/cards", {"pan": OTHER_BANK_CARD}).json()
    return _post(bank, "payments", "/api/v1/me/transfers/quote",
                 {"to_card_token": token["card_token"], "amount": amount, "currency": "UAH"},
                 identity)


def _step_up(bank, identity, phone, reference) -> str:
    challenge = _post(bank, "customers", "/api/v1/me/step-up",
                      {"purpose": "transfer", "reference": reference}, identity)
    assert challenge.status_code == 200, challenge.text
    verified = _post(bank, "customers",
                     f"/api/v1/auth/otp/{challenge.json()['challenge_id']}/verify",
                     {"code": bank.sms_code(phone)})
    assert verified.status_code == 200, verified.text
    return verified.json()["step_up_token"]


def _card_op(bank, operation, identity, card_id):
    return call(bank, operation, f"<leg:Identity>{identity}</leg:Identity>"
                                 f"<leg:CardId>{card_id}</leg:CardId>")[1]


def _pay_bill(bank, identity, operation="PayBill", amount="50.00"):
    key = f"<leg:IdempotencyKey>{new_key()}</leg:IdempotencyKey>" if operation == "PayBill" else ""
    return call(bank, operation,
                f"<leg:Identity>{identity}</leg:Identity>{key}"
                "<leg:ProviderId>kyivstar</leg:ProviderId><leg:Account>+380671234567</leg:Account>"
                f"<leg:Amount><leg:Value>{amount}</leg:Value>"
                "<leg:Currency>UAH</leg:Currency></leg:Amount>")[1]


def test_nothing_leaves_the_account_of_a_frozen_card(bank):
    identity, cards = login_card(bank, DEMO_OLENA)
    assert [c["status"] for c in cards] == ["frozen"]  # the seed: frozen by Olena herself
    before = _balance(bank, identity)
    refused = _quote(bank, identity, "100.00")
    assert refused.status_code == 409 and error_code(refused) == "card_frozen"
    assert refused.json()["error"]["masked"] == cards[0]["masked"]  # the assistant names it
    assert fault_code(_pay_bill(bank, identity, "QuoteBill")) == "card_frozen"
    assert fault_code(_pay_bill(bank, identity)) == "card_frozen"
    assert _balance(bank, identity) == before
    assert bank.check_ledger()["balanced"]

    _card_op(bank, "UnlockCard", identity, cards[0]["card_id"])
    assert _quote(bank, identity, "100.00").status_code == 201
    assert value(_pay_bill(bank, identity), "PayBillResponse/Status") == "completed"
    assert _balance(bank, identity) == before - Decimal("50.00")


def test_a_card_frozen_after_the_quote_stops_the_transfer(bank):
    """Quoted while active, frozen before the customer confirmed: the posting refuses it."""
    identity, cards = login_card(bank, DEMO_TARAS)
    before = _balance(bank, identity)
    quote = _quote(bank, identity, "40.00").json()
    token = _step_up(bank, identity, DEMO_TARAS, quote["quote_id"]) if (
        quote["requires_step_up"]) else None
    _card_op(bank, "LockCard", identity, cards[0]["card_id"])
    body = {"quote_id": quote["quote_id"], "step_up_token": token}
    key = secrets.token_hex(8)
    sent = _post(bank, "payments", "/api/v1/me/transfers", body, identity, key)
    assert sent.status_code == 409 and error_code(sent) == "card_frozen", sent.text
    assert _balance(bank, identity) == before
    _card_op(bank, "UnlockCard", identity, cards[0]["card_id"])
    assert bank.check_ledger()["balanced"]
