"""Ledger transfers over HTTP on SQLite and PostgreSQL: happy path, idempotency, bad input."""

from __future__ import annotations

import pytest

from tests.corebank.helpers import error_code, ledger_transfer, new_key


@pytest.fixture
def accounts(corebank_any):
    bank = corebank_any
    return bank, bank.open_account("100.00"), bank.open_account("0.00")


def _snapshot(bank, *account_ids):
    check = bank.check_ledger()
    assert check["balanced"], check
    return check["journals"], check["postings"], [bank.balance(a) for a in account_ids]


def test_transfer_moves_money_and_keeps_ledger_balanced(accounts):
    bank, src, dst = accounts
    resp = ledger_transfer(bank, src, dst, "40.50", new_key())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["journal_id"].startswith("jrn_")
    assert body["amount"] == "40.50" and body["from_balance_after"] == "59.50"
    assert bank.balance(src) == "59.50" and bank.balance(dst) == "40.50"
    assert bank.check_ledger()["balanced"]


def test_same_key_same_body_replays_without_posting(accounts):
    bank, src, dst = accounts
    key = new_key()
    first = ledger_transfer(bank, src, dst, "10.00", key)
    journals = bank.check_ledger()["journals"]
    again = ledger_transfer(bank, src, dst, "10.00", key)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert bank.check_ledger()["journals"] == journals
    assert bank.balance(src) == "90.00"


def test_same_key_different_body_conflicts(accounts):
    bank, src, dst = accounts
    key = new_key()
    assert ledger_transfer(bank, src, dst, "10.00", key).status_code == 200
    resp = ledger_transfer(bank, src, dst, "11.00", key)
    assert resp.status_code == 409 and error_code(resp) == "idempotency_conflict"
    assert bank.balance(src) == "90.00"


def test_insufficient_funds_changes_nothing(accounts):
    bank, src, dst = accounts
    before = _snapshot(bank, src, dst)
    resp = ledger_transfer(bank, src, dst, "100.01", new_key())
    assert resp.status_code == 409 and error_code(resp) == "insufficient_funds"
    assert _snapshot(bank, src, dst) == before


def test_credit_limit_extends_available(corebank_any):
    bank = corebank_any
    src = bank.open_account("10.00", credit_limit="50.00")
    dst = bank.open_account()
    assert ledger_transfer(bank, src, dst, "60.00", new_key()).status_code == 200
    assert bank.balance(src) == "-50.00"
    resp = ledger_transfer(bank, src, dst, "0.01", new_key())
    assert error_code(resp) == "insufficient_funds"


def test_idempotency_key_is_required(accounts):
    bank, src, dst = accounts
    resp = ledger_transfer(bank, src, dst, "1.00", key=None)
    assert resp.status_code == 400 and error_code(resp) == "invalid_request"


@pytest.mark.parametrize("amount,code", [
    ("0", "invalid_amount"),
    ("0.00", "invalid_amount"),
    ("-5.00", "invalid_amount"),
    ("1.001", "invalid_amount"),
    ("1000000.01", "invalid_amount"),
    ("1e400", "invalid_amount"),
    ("NaN", "invalid_amount"),
    ("Infinity", "invalid_amount"),
    ("ten", "invalid_amount"),
    ("", "invalid_amount"),
    (None, "invalid_request"),
    (True, "invalid_request"),
    ([1], "invalid_request"),
    ({"value": 1}, "invalid_request"),
])
def test_bad_amounts_are_refused_and_nothing_is_written(accounts, amount, code):
    bank, src, dst = accounts
    before = _snapshot(bank, src, dst)
    resp = ledger_transfer(bank, src, dst, amount, new_key())
    assert resp.status_code == 422, resp.text
    assert error_code(resp) == code
    assert _snapshot(bank, src, dst) == before


@pytest.mark.parametrize("currency,code", [
    ("XYZ", "unknown_currency"), ("usd ", "invalid_request"), (840, "invalid_request"),
])
def test_bad_currency(accounts, currency, code):
    bank, src, dst = accounts
    resp = ledger_transfer(bank, src, dst, "1.00", new_key(), currency=currency)
    assert resp.status_code == 422
    # "usd " is a known code in the wrong currency for a UAH account
    assert error_code(resp) in (code, "unknown_currency", "currency_mismatch")


def test_unknown_accounts(accounts):
    bank, src, _ = accounts
    before = _snapshot(bank, src)
    resp = ledger_transfer(bank, src, "acc_doesnotexist000", "1.00", new_key())
    assert resp.status_code == 404 and error_code(resp) == "not_found"
    resp = ledger_transfer(bank, "acc_doesnotexist000", src, "1.00", new_key())
    assert resp.status_code == 404
    assert _snapshot(bank, src) == before


def test_same_account_both_sides(accounts):
    bank, src, _ = accounts
    resp = ledger_transfer(bank, src, src, "1.00", new_key())
    assert resp.status_code == 422 and error_code(resp) == "same_account"


def test_currency_mismatch_with_account(accounts):
    bank, src, dst = accounts
    resp = ledger_transfer(bank, src, dst, "1.00", new_key(), currency="USD")
    assert resp.status_code == 422 and error_code(resp) == "currency_mismatch"


def test_malformed_json_is_400(accounts):
    bank, _, _ = accounts
    resp = bank.http.post("/api/v1/ledger/transfers",
                      headers={**bank.headers("ledger"), "Idempotency-Key": new_key(),
                               "Content-Type": "application/json"},
                      content=b'{"from_account": "a", "amount": ')
    assert resp.status_code == 400 and error_code(resp) == "invalid_request"


def test_wrong_field_types_are_422(accounts):
    bank, src, dst = accounts
    resp = bank.http.post("/api/v1/ledger/transfers",
                      headers={**bank.headers("ledger"), "Idempotency-Key": new_key()},
                      json={"from_account": 123, "to_account": dst, "amount": "1.00",
                            "currency": "UAH"})
    assert resp.status_code == 422 and error_code(resp) == "invalid_request"
    assert resp.json()["error"]["fields"][0]["field"] == "from_account"
    resp = bank.http.post("/api/v1/ledger/transfers",
                      headers={**bank.headers("ledger"), "Idempotency-Key": new_key()},
                      json=["not", "an", "object"])
    assert resp.status_code == 422


def test_seeded_demo_data_is_balanced(corebank_any):
    check = corebank_any.check_ledger()
    assert check["balanced"] and check["journals"] >= 5
