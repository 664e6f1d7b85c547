"""KYC rejections and success (passport typed or as a vault reference), then the tariff card
and its plastic."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from corebank.core.money import fmt
from corebank.core.settings import get_settings
from corebank.core.tariffs import cashback_summary
from tests.corebank.harness import error_code, kyc

# The one source of the product terms (docs/demo-data.md "Tariffs"); the sandbox runs defaults.
TARIFF_LIMIT = fmt(get_settings().tariff_credit_limit)


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
    assert body["kyc_level"] == "verified" and body["credit_limit"] == TARIFF_LIMIT
    assert body["cashback"]["max_percent"] == cashback_summary()["max_percent"]
    assert body["document"]["masked"].startswith("МЕ") and "654321" not in r.text
    r = bank.post("/api/v1/me/cards", {"tier": "tariff", "holder_name": "Petro Bondarenko"},
                  identity, secrets.token_hex(8))
    assert r.status_code == 201, r.text
    card = r.json()
    assert card["tariff"] == "tariff" and card["credit_limit"] == TARIFF_LIMIT
    assert card["cashback"]["min_percent"] == cashback_summary()["min_percent"]
    assert bank.account(identity)["available"] == TARIFF_LIMIT

    # plastic card
    path = f"/api/v1/me/cards/{card['card_id']}/plastic"
    for bad in ({"address": {"street": "", "city": "Kyiv"}},
                {"address": {"street": "Khreshchatyk 1", "city": ""}},
                {"address": {"street": "S" * 200, "city": "Kyiv"}},
                {"address": {"street": "Khreshchatyk 1", "city": "Kyiv", "postal_code": "1"}},
                {"address": "Kyiv"}, {"address": 42}):
        r = bank.post(path, bad, identity)
        # a wrong type or length is `invalid_request`; text without a city, `invalid_address`
        assert r.status_code == 422, (bad, r.text)
        assert error_code(r) in ("invalid_request", "invalid_address"), (bad, r.text)
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
    assert r.status_code == 422 and error_code(r) == "invalid_address"
    orders = bank.get("/api/v1/me/plastic-orders", identity).json()
    assert [o["order_id"] for o in orders] == [order["order_id"]]
    r = bank.post("/api/v1/me/cards/card_unknown/plastic", {"address": address}, identity)
    assert r.status_code == 404 and error_code(r) == "card_not_found"


def test_latest_kyc_record_as_the_bank_keeps_it(bank):
    """GET /me/kyc: the latest application, accepted or rejected, with the passport masked only
    (what a conversation submitted can be checked on the bank)."""
    identity = bank.login()
    r = bank.get("/api/v1/me/kyc", identity)
    assert r.status_code == 404 and error_code(r) == "not_found"
    assert kyc(bank, identity, passport_number="AB12345").status_code == 422
    rejected = bank.get("/api/v1/me/kyc", identity).json()
    assert (rejected["status"], rejected["reason"]) == ("rejected", "invalid_document")
    r = kyc(bank, identity, passport_number="KB 765432", address="Sumska 10, Kharkiv",
            passport_authority="6301")
    assert r.status_code == 200, r.text
    record = bank.get("/api/v1/me/kyc", identity)
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["kyc_id"] == r.json()["kyc_id"] and body["status"] == "verified"
    assert (body["address"], body["passport_authority"]) == ("Sumska 10, Kharkiv", "6301")
    assert body["document"] == {"type": "passport_booklet", "masked": "KB••••32"}
    assert "765432" not in record.text
    other = bank.login()
    assert bank.get("/api/v1/me/kyc", other).status_code == 404  # only one's own record
