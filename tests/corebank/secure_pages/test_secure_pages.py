"""The secure page: card details once (the only place the full number shows), set PIN, set
password (escaping), bad requests."""

from __future__ import annotations

import re

from stdnum import luhn

from tests.corebank.harness import error_code, nonce, path, state


def link(bank, identity, purpose, card_id=None):
    body = {"purpose": purpose}
    if card_id:
        body["card_id"] = card_id
    r = bank.post("/api/v1/me/secure-links", body, identity)
    assert r.status_code == 201, r.text
    assert r.json()["expires_in"] == 300
    return path(bank, r.json()["url"])


def test_card_details_page_once(bank):
    identity = bank.new_card_holder()
    card = bank.get("/api/v1/me/cards", identity).json()[0]
    url = link(bank, identity, "card_details", card["card_id"])
    page = bank.http.get(url)
    assert page.status_code == 200 and state(page.text) == "details"
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert re.search(r'id="cvv">\d{3}<', page.text) and card["expiry"] in page.text
    again = bank.http.get(url)
    assert again.status_code == 410 and "already used" in again.text
    assert bank.http.get("/secure/" + "x" * 43).status_code == 404


def test_secure_link_bad_requests(bank):
    identity = bank.new_card_holder()
    for body in ({"purpose": "steal"}, {"purpose": "set_pin"},
                 {"purpose": "card_details", "card_id": "card_nope"}):
        r = bank.post("/api/v1/me/secure-links", body, identity)
        assert r.status_code in (404, 422), r.text
        assert error_code(r) in ("invalid_request", "card_not_found")


def test_set_pin(bank):
    identity = bank.new_card_holder()
    card = bank.get("/api/v1/me/cards", identity).json()[0]
    url = link(bank, identity, "set_pin", card["card_id"])
    page = bank.http.get(url)
    assert page.status_code == 200 and 'id="pin"' in page.text and card["masked"] in page.text
    form = {"nonce": nonce(page.text), "pin": "12a4", "pin_confirm": "12a4"}
    r = bank.http.post(url, data=form)
    assert r.status_code == 422 and "4 digits" in r.text
    r = bank.http.post(url, data={"nonce": nonce(r.text), "pin": "1234", "pin_confirm": "1234"})
    assert r.status_code == 422 and "too easy" in r.text
    r = bank.http.post(url, data={"nonce": "forged", "pin": "4827", "pin_confirm": "4827"})
    assert r.status_code == 400
    r = bank.http.post(url, data={"nonce": nonce(r.text), "pin": "4827", "pin_confirm": "4872"})
    assert r.status_code == 422 and "do not match" in r.text
    r = bank.http.post(url, data={"nonce": nonce(r.text), "pin": "4827", "pin_confirm": "4827"})
    assert r.status_code == 200 and state(r.text) == "done" and "4827" not in r.text
    reuse = bank.http.post(url, data={"nonce": "x", "pin": "5827", "pin_confirm": "5827"})
    assert reuse.status_code == 410 and "already used" in reuse.text
    assert bank.http.get(url).status_code == 410


def test_set_password_and_escaping(bank):
    identity = bank.new_card_holder()
    url = link(bank, identity, "set_password")
    page = bank.http.get(url)
    weak = "<script>alert(1)</script>"
    r = bank.http.post(url, data={"nonce": nonce(page.text), "password": weak,
                                  "password_confirm": weak})
    assert r.status_code == 422 and "<script>" not in r.text
    good = "Corr3ct-Horse-Battery"
    r = bank.http.post(url, data={"nonce": nonce(r.text), "password": good,
                                  "password_confirm": good})
    assert r.status_code == 200 and good not in r.text
    assert bank.http.post(url, data={"nonce": "x"}).status_code == 410


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
