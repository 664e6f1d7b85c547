"""Vault tokenization (same PAN, same token; own BINs; bad numbers) and typed secrets."""

from __future__ import annotations

import pytest

from tests.corebank.helpers import error_code


def _tokenize(bank, pan):
    return bank.http.post("/api/v1/vault/cards", headers=bank.headers("vault"), json={"pan": pan})


def test_same_pan_same_token_and_formats(corebank_any):
    bank = corebank_any
    a = _tokenize(bank, "4111 1111 1111 1111").json()
    b = _tokenize(bank, "4111-1111-1111-1111").json()
    assert a == b
    assert a["card_token"].startswith("ctok_") and len(a["card_token"]) == 21
    assert a["masked"] == "•••• 1111" and a["issuer"] == "other" and a["network"] == "visa"
    assert "4111111111111111" not in str(a)
    assert bank.http.get(f"/api/v1/vault/cards/{a['card_token']}",
                         headers=bank.headers("vault")).json() == a


def test_own_bins_are_ours(corebank):
    body = _tokenize(corebank, "4149490000000023").json()
    assert body["issuer"] == "own" and body["bank_name"] == "Sandbox Bank"
    assert _tokenize(corebank, "5555555555554444").json()["network"] == "mastercard"


@pytest.mark.parametrize("pan,code", [
    ("4111111111111112", "invalid_card_number"),
    ("1234", "invalid_card_number"),
    ("abcd efgh ijkl mnop", "invalid_card_number"),
    (4111111111111111, "invalid_request"),
])
def test_bad_card_numbers(corebank, pan, code):
    resp = _tokenize(corebank, pan)
    assert resp.status_code == 422 and error_code(resp) == code


def test_unknown_token(corebank):
    resp = corebank.http.get("/api/v1/vault/cards/ctok_0000000000000000",
                             headers=corebank.headers("vault"))
    assert resp.status_code == 404 and error_code(resp) == "card_not_found"


def test_secrets_prefixes(corebank):
    for kind, prefix in (("otp", "otok_"), ("passport", "ptok_"), ("other", "stok_")):
        resp = corebank.http.post("/api/v1/vault/secrets", headers=corebank.headers("vault"),
                                  json={"kind": kind, "value": "AB123456"})
        assert resp.json()["secret_ref"].startswith(prefix)
    resp = corebank.http.post("/api/v1/vault/secrets", headers=corebank.headers("vault"),
                              json={"kind": "pin", "value": "1234"})
    assert resp.status_code == 422
