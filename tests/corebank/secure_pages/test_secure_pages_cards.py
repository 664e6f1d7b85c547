"""The secure page for card management: the birth year and common passwords refused, the
chat told by a signed webhook when the PIN / password is set (never the value), and a link
that has expired."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from tests.corebank.harness import Bank, kyc, nonce, path, run_sandbox, state


def _link(bank, identity, purpose, card_id=None):
    body = {"purpose": purpose, **({"card_id": card_id} if card_id else {})}
    r = bank.post("/api/v1/me/secure-links", body, identity)
    assert r.status_code == 201, r.text
    return path(bank, r.json()["url"])


def test_pin_refuses_the_birth_year_and_repeated_digits_then_tells_the_chat(bank,
                                                                            webhook_receiver):
    identity = bank.new_card_holder()
    assert kyc(bank, identity, passport_number="MK654321").status_code in (200, 201)
    card = bank.get("/api/v1/me/cards", identity).json()[0]
    url = _link(bank, identity, "set_pin", card["card_id"])
    page = bank.http.get(url)
    r = bank.http.post(url, data={"nonce": nonce(page.text), "pin": "1990", "pin_confirm": "1990"})
    assert r.status_code == 422 and "year of birth" in r.text
    for weak in ("0000", "1111", "7777"):
        r = bank.http.post(url, data={"nonce": nonce(r.text), "pin": weak, "pin_confirm": weak})
        assert r.status_code == 422 and "too easy" in r.text
    r = bank.http.post(url, data={"nonce": nonce(r.text), "pin": "4827", "pin_confirm": "4827"})
    assert r.status_code == 200 and state(r.text) == "done"
    event = webhook_receiver.wait_for(
        lambda e: e["type"] == "pin.changed" and e["identity"] == identity)
    assert event["data"] == {"masked_card": card["masked"]}
    assert "4827" not in str(event)


def test_password_refuses_common_and_short_then_tells_the_chat(bank, webhook_receiver):
    identity = bank.new_card_holder()
    url = _link(bank, identity, "set_password")
    page = bank.http.get(url)
    checks = [("Password123", "Password123", "too common"), ("Qwerty12345", "Qwerty12345",
              "too common"), ("Sh0rt", "Sh0rt", "10 to 128"),
              ("Tr1cky-Lantern-9", "Tr1cky-Lantern-8", "do not match")]
    text = page.text
    for password, confirm, error in checks:
        r = bank.http.post(url, data={"nonce": nonce(text), "password": password,
                                      "password_confirm": confirm})
        assert r.status_code == 422 and error in r.text, (password, r.text[-400:])
        text = r.text
    good = "Tr1cky-Lantern-9"
    r = bank.http.post(url, data={"nonce": nonce(text), "password": good,
                                  "password_confirm": good})
    assert r.status_code == 200 and state(r.text) == "done"
    event = webhook_receiver.wait_for(
        lambda e: e["type"] == "password.changed" and e["identity"] == identity)
    assert event["data"] == {} and good not in str(event)


@contextmanager
def _short_lived_sandbox(tmp_path, webhook_receiver):
    with run_sandbox(tmp_path, webhook_receiver.url, SECURE_LINK_TTL_SECONDS="1") as url:
        client = Bank(url)
        try:
            yield client
        finally:
            client.http.close()


@pytest.mark.parametrize("purpose", ["set_pin", "set_password"])
def test_an_expired_link_sets_nothing(tmp_path, webhook_receiver, purpose):
    with _short_lived_sandbox(tmp_path, webhook_receiver) as bank:
        identity = bank.new_card_holder()
        card = bank.get("/api/v1/me/cards", identity).json()[0]
        url = _link(bank, identity, purpose, card["card_id"] if purpose == "set_pin" else None)
        page = bank.http.get(url)
        time.sleep(1.5)
        field = "pin" if purpose == "set_pin" else "password"
        value = "4827" if purpose == "set_pin" else "Tr1cky-Lantern-9"
        r = bank.http.post(url, data={"nonce": nonce(page.text), field: value,
                                      f"{field}_confirm": value})
        assert r.status_code == 410 and "expired" in r.text
        assert bank.http.get(url).status_code == 410
