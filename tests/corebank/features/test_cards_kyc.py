"""Tariffs, card issuing (idempotent), KYC rejections and success, upgrade, plastic orders."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from stdnum import luhn

from tests.corebank.features.conftest import ANNA_PHONE, error_code

ADULT = {
    "full_name": "Petro Bondarenko",
    "date_of_birth": "1990-05-17",
    "address": "Kyiv, Khreshchatyk St 1, apt 5",
    "passport_number": "ME123456",
    "passport_issue_date": "2008-06-01",
    "passport_authority": "Kyiv city department",
    "consent": True,
}


def test_tariffs(bank):
    r = bank.get("/api/v1/tariffs")
    assert r.status_code == 200
    body = r.json()
    codes = {t["code"]: t for t in body["tariffs"]}
    assert codes["basic"]["credit_limit"] == "0.00" and codes["basic"]["monthly_fee"] == "0.00"
    tariff = codes["tariff"]
    assert tariff["credit_limit"] == "50000.00"
    assert tariff["cashback"]["min_percent"] == "2" and tariff["cashback"]["max_percent"] == "33"
    categories = {c["category"]: c["percent"] for c in tariff["cashback"]["categories"]}
    assert categories["supermarkets"] == "2" and categories["ice_cream"] == "33"
    assert categories["game_arena"] == "15" and categories["streaming"] == "10"
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


def kyc(bank, identity, **changes):
    return bank.post("/api/v1/me/kyc", {**ADULT, **changes}, identity)


def test_kyc_rejections(bank):
    identity = bank.login()
    today = date.today()
    cases = {
        "underage": {"date_of_birth": (today - timedelta(days=17 * 365)).isoformat(),
                     "passport_number": "123456789",
                     "passport_issue_date": (today - timedelta(days=30)).isoformat()},
        "document_expired": {"passport_number": "001234567",
                             "passport_issue_date": "2012-03-01"},
        "blocklisted": {"passport_number": "AA000000"},
        "invalid_document": {"passport_number": "AB12345"},
    }
    for reason, changes in cases.items():
        r = kyc(bank, identity, **changes)
        assert r.status_code == 422, r.text
        assert error_code(r) == "kyc_rejected" and r.json()["error"]["reason"] == reason, r.text
        assert "ME123456" not in r.text and changes.get("passport_number", "") not in r.text
    r = kyc(bank, identity, full_name="Blocked Person")
    assert r.json()["error"]["reason"] == "blocklisted"
    r = kyc(bank, identity, passport_issue_date=(today + timedelta(days=3)).isoformat())
    assert r.json()["error"]["reason"] == "invalid_document"
    for bad in ({"consent": False}, {"date_of_birth": "17.05.1990"}, {"address": ""},
                {"passport_number": None}, {"full_name": "Petro"}):
        r = kyc(bank, identity, **bad)
        assert r.status_code == 422 and error_code(r) == "invalid_request", (bad, r.text)
    assert bank.get("/api/v1/me", identity).json()["kyc_level"] == "none"


def test_kyc_with_passport_ref_then_tariff_card_and_plastic(bank):
    identity = bank.login()
    ref = bank.post("/api/v1/vault/secrets", {"kind": "passport", "value": "МЕ 654321"})
    assert ref.status_code in (200, 201), ref.text
    passport = {"passport_number": None, "passport_ref": ref.json()["secret_ref"]}
    r = kyc(bank, identity, **passport)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kyc_level"] == "verified" and body["credit_limit"] == "50000.00"
    assert body["cashback"]["max_percent"] == "33"
    assert body["document"]["masked"].startswith("МЕ") and "654321" not in r.text
    r = bank.post("/api/v1/me/cards", {"tier": "tariff", "holder_name": "Petro Bondarenko"},
                  identity, secrets.token_hex(8))
    assert r.status_code == 201, r.text
    card = r.json()
    assert card["tariff"] == "tariff" and card["credit_limit"] == "50000.00"
    assert card["cashback"]["min_percent"] == "2"
    assert bank.account(identity)["available"] == "50000.00"

    # plastic card
    path = f"/api/v1/me/cards/{card['card_id']}/plastic"
    for bad in ({"address": {"street": "", "city": "Kyiv"}},
                {"address": {"street": "Khreshchatyk 1", "city": ""}},
                {"address": {"street": "S" * 200, "city": "Kyiv"}},
                {"address": {"street": "Khreshchatyk 1", "city": "Kyiv", "postal_code": "1"}},
                {"address": "Kyiv"}, {"address": 42}):
        r = bank.post(path, bad, identity)
        assert r.status_code == 422 and error_code(r) == "invalid_request", (bad, r.text)
    address = {"street": "Khreshchatyk St 1, apt 5", "city": "Kyiv", "postal_code": "01001"}
    r = bank.post(path, {"address": address}, identity)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "ordered" and date.fromisoformat(order["estimated_delivery"]) > \
        date.today()
    again = bank.post(path, {"address": address}, identity)
    assert again.status_code == 200 and again.json()["order_id"] == order["order_id"]
    # free text from the chat: "street, city[, postal code]"
    basic = bank.new_card_holder()
    basic_card = bank.get("/api/v1/me/cards", basic).json()[0]
    r = bank.post(f"/api/v1/me/cards/{basic_card['card_id']}/plastic",
                  {"address": "Shevchenka Ave 10, apt 3, Lviv, 79000"}, basic)
    assert r.status_code == 409 and error_code(r) == "tariff_required"  # parsed, then refused
    r = bank.post(f"/api/v1/me/cards/{basic_card['card_id']}/plastic",
                  {"address": "Lviv"}, basic)
    assert r.status_code == 422 and error_code(r) == "invalid_request"
    orders = bank.get("/api/v1/me/plastic-orders", identity).json()
    assert [o["order_id"] for o in orders] == [order["order_id"]]
    r = bank.post("/api/v1/me/cards/card_unknown/plastic", {"address": address}, identity)
    assert r.status_code == 404 and error_code(r) == "card_not_found"


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
    assert upgraded["credit_limit"] == "50000.00"
    other = bank.login(ANNA_PHONE)
    r = bank.post(f"/api/v1/me/cards/{card['card_id']}/upgrade", None, other)
    assert r.status_code == 404 and error_code(r) == "card_not_found"
    bank.assert_balanced()


def test_pan_is_luhn_valid_and_only_on_secure_page(bank):
    """The full number is reachable only through the one-time secure page."""
    identity = bank.new_card_holder()
    card = bank.get("/api/v1/me/cards", identity).json()[0]
    r = bank.post("/api/v1/me/secure-links", {"purpose": "card_details",
                                              "card_id": card["card_id"]}, identity)
    page = bank.http.get(r.json()["url"].replace(bank.url, ""))
    pan = page.text.split('id="pan">')[1].split("<")[0].replace(" ", "")
    assert luhn.is_valid(pan) and pan.endswith(card["last4"]) and pan[:6] in (
        "414949", "516874", "535145")
