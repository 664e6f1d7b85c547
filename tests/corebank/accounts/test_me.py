"""The customer views: /me, accounts, cards, transactions, bank details."""

from __future__ import annotations

from stdnum import iban

from tests.corebank.helpers import DEMO_ANNA, DEMO_OLENA, ledger_transfer, new_identity, new_key


def test_me_views(corebank_any):
    bank = corebank_any
    identity = new_identity()
    bank.login(DEMO_ANNA, identity)
    headers = bank.headers(identity=identity)
    me = bank.http.get("/api/v1/me", headers=headers).json()
    assert me["first_name"] == "Anna" and me["kyc_level"] == "verified"
    accounts = bank.http.get("/api/v1/me/accounts", headers=headers).json()
    uah = next(a for a in accounts if a["currency"] == "UAH")
    assert uah["credit_limit"] == "10000.00"
    cards = bank.http.get("/api/v1/me/cards", headers=headers).json()
    assert cards[0]["tariff"] == "tariff" and cards[0]["masked"] == "•••• 0016"
    details = bank.http.get("/api/v1/me/bank-details", headers=headers).json()
    assert iban.is_valid(details["iban"]) and details["iban"].startswith("UA")
    assert len(details["iban"]) == 29 and details["holder"] == "Anna Ivanova"
    # a transfer shows up in the history with the balance after it
    other = bank.open_account()
    resp = ledger_transfer(bank, uah["account_id"], other, "12.34", new_key())
    assert resp.status_code == 200
    history = bank.http.get("/api/v1/me/transactions", params={"limit": 1},
                            headers=headers).json()
    assert history[0]["amount"] == "-12.34"
    assert history[0]["balance_after"] == resp.json()["from_balance_after"]
    assert bank.http.get("/api/v1/me/transactions", params={"limit": 0},
                         headers=headers).status_code == 422


def test_frozen_card_is_visible(corebank):
    identity = new_identity()
    corebank.login(DEMO_OLENA, identity)
    cards = corebank.http.get("/api/v1/me/cards", headers=corebank.headers(identity=identity))
    assert cards.json()[0]["status"] == "frozen"
