"""Tariffs, card issuing (idempotent), bad input, upgrade to the Digital Tariff Card."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

from corebank.core.money import fmt
from corebank.core.settings import get_settings
from corebank.core.tariffs import CASHBACK_CATEGORIES
from tests.corebank.harness import ANNA_PHONE, error_code, kyc


def test_tariffs(bank):
    r = bank.get("/api/v1/tariffs")
    assert r.status_code == 200
    body = r.json()
    codes = {t["code"]: t for t in body["tariffs"]}
    assert codes["basic"]["credit_limit"] == "0.00" and codes["basic"]["monthly_fee"] == "0.00"
    tariff = codes["tariff"]
    # The product terms have one source, corebank/core/tariffs.py (credit limit from the
    # TARIFF_CREDIT_LIMIT setting), documented in docs/demo-data.md "Tariffs": the API serves them.
    assert tariff["credit_limit"] == fmt(get_settings().tariff_credit_limit)
    assert tariff["cashback"]["categories"] == CASHBACK_CATEGORIES
    percents = [Decimal(c["percent"]) for c in CASHBACK_CATEGORIES]
    assert tariff["cashback"]["min_percent"] == str(min(percents))
    assert tariff["cashback"]["max_percent"] == str(max(percents))
    # The brief's promise ("cashback from 2% to 33%") holds for those terms.
    assert (min(percents), max(percents)) == (Decimal("2"), Decimal("33"))
    assert body["plastic_delivery"]["delivery_business_days"] > 0
    assert bank.http.get("/api/v1/tariffs").status_code == 401  # no token


def test_issue_basic_card_idempotent(bank):
    identity = bank.login()
    key = secrets.token_hex(8)
    body = {"tier": "basic", "holder_name": "Olha Tkachenko"}
    r = bank.post("/api/v1/me/cards", body, identity, key)
    assert r.status_code == 201, r.text
    card = r.json()
    assert card["tariff"] == "basic" and card["status"] == "active"
    assert card["card_token"].startswith("ctok_") and card["masked"].startswith("•••• ")
    assert card["holder_name"] == "OLHA TKACHENKO" and card["credit_limit"] == "0.00"
    assert "pan" not in card and "cvv" not in card
    # replay: same response, no second card
    again = bank.post("/api/v1/me/cards", body, identity, key)
    assert again.status_code == 201 and again.json() == card
    cards = bank.get("/api/v1/me/cards", identity).json()
    assert [c["card_id"] for c in cards] == [card["card_id"]]
    # same key, different body
    r = bank.post("/api/v1/me/cards", {**body, "holder_name": "Other Name"}, identity, key)
    assert r.status_code == 409 and error_code(r) == "idempotency_conflict"
    # a second basic card with a new key
    r = bank.post("/api/v1/me/cards", body, identity, secrets.token_hex(8))
    assert r.status_code == 409 and error_code(r) == "already_has_card"
    # the vault knows the card as one of ours (Luhn-valid PAN with an own BIN)
    v = bank.get(f"/api/v1/vault/cards/{card['card_token']}").json()
    assert v["issuer"] == "own" and v["last4"] == card["last4"]
    me = bank.get("/api/v1/me", identity).json()
    assert me["kyc_level"] == "basic" and me["first_name"] == "Olha"


def test_issue_card_bad_input(bank):
    identity = bank.login()
    key = secrets.token_hex(8)
    cases = [
        {"tier": "gold", "holder_name": "Olha Tkachenko"},
        {"tier": "basic"},
        {"tier": "basic", "holder_name": "X"},
        {"tier": "basic", "holder_name": "Ольга Ткаченко"},
        {"tier": "basic", "holder_name": "A" * 40},
    ]
    for body in cases:
        r = bank.post("/api/v1/me/cards", body, identity, secrets.token_hex(8))
        assert r.status_code == 422 and error_code(r) == "invalid_request", (body, r.text)
    r = bank.post("/api/v1/me/cards", {"tier": "basic", "holder_name": "Olha T"}, identity)
    assert r.status_code == 400  # no Idempotency-Key
    r = bank.post("/api/v1/me/cards", {"tier": "tariff", "holder_name": "Olha T"}, identity, key)
    assert r.status_code == 403 and error_code(r) == "kyc_required"
    r = bank.post("/api/v1/me/cards", {"tier": "basic", "holder_name": "Olha T"},
                  "test:nobody", key)
    assert r.status_code == 401 and error_code(r) == "login_required"
    assert bank.get("/api/v1/me/cards", identity).json() == []


def test_upgrade_basic_to_tariff(bank):
    identity = bank.new_card_holder("basic")
    card = bank.get("/api/v1/me/cards", identity).json()[0]
    r = bank.post(f"/api/v1/me/cards/{card['card_id']}/upgrade", None, identity)
    assert r.status_code == 403 and error_code(r) == "kyc_required"
    r = bank.post(f"/api/v1/me/cards/{card['card_id']}/plastic",
                  {"address": {"street": "Main St 2", "city": "Lviv"}}, identity)
    assert r.status_code == 409 and error_code(r) == "tariff_required"
    assert kyc(bank, identity, passport_number="123456780",
               passport_issue_date=(date.today() - timedelta(days=400)).isoformat()
               ).status_code == 200
    r = bank.post("/api/v1/me/cards", {"tier": "tariff", "holder_name": "Test Person"},
                  identity, secrets.token_hex(8))
    assert r.status_code == 409 and error_code(r) == "already_has_card"
    assert r.json()["error"]["card_id"] == card["card_id"]
    r = bank.post(f"/api/v1/me/cards/{card['card_id']}/upgrade", None, identity)
    assert r.status_code == 200, r.text
    upgraded = r.json()
    assert upgraded["tariff"] == "tariff" and upgraded["card_token"] == card["card_token"]
    assert upgraded["credit_limit"] == fmt(get_settings().tariff_credit_limit)
    other = bank.login(ANNA_PHONE)
    r = bank.post(f"/api/v1/me/cards/{card['card_id']}/upgrade", None, other)
    assert r.status_code == 404 and error_code(r) == "card_not_found"
    bank.assert_balanced()
