"""Fault switches (latency, 5xx, hang) never leave half-written state; sandbox auth."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.corebank.helpers import error_code, ledger_transfer, new_key


@pytest.fixture(scope="module")
def bank(corebank_factory):
    bank = corebank_factory(extra_env={"COREBANK_HANG_SECONDS": "8"})
    yield bank
    bank.clear_faults()


@pytest.fixture
def pair(bank):
    bank.clear_faults()
    return bank.open_account("100.00"), bank.open_account()


def _state(bank, *accounts):
    check = bank.check_ledger()
    assert check["balanced"]
    return check["journals"], [bank.balance(a) for a in accounts]


def test_sandbox_needs_its_token(bank):
    assert bank.http.get("/sandbox/sms").status_code == 401
    resp = bank.http.put("/sandbox/faults", json={"error_rate": 1},
                         headers={"X-Sandbox-Token": "guess"})
    assert resp.status_code == 401 and error_code(resp) == "unauthorized"


def test_fault_body_is_validated(bank):
    resp = bank.http.put("/sandbox/faults", json={"error_rate": 2},
                         headers=bank.admin_headers())
    assert resp.status_code == 422


def test_latency(bank, pair):
    src, dst = pair
    bank.set_faults(latency_ms=400, paths=["/api/v1/ledger/transfers"])
    started = time.monotonic()
    resp = ledger_transfer(bank, src, dst, "1.00", new_key())
    assert resp.status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    bank.check_ledger()  # other paths are not slowed down
    assert time.monotonic() - started < 0.4


def test_error_rate_one_fails_everything_and_writes_nothing(bank, pair):
    src, dst = pair
    before = _state(bank, src, dst)
    bank.set_faults(error_rate=1.0, paths=["/api/v1/ledger/transfers", "/soap"])
    for _ in range(5):
        resp = ledger_transfer(bank, src, dst, "1.00", new_key())
        assert resp.status_code == 503 and error_code(resp) == "bank_unavailable"
    soap = bank.http.post("/soap/legacy", content=b"<x/>")
    assert soap.status_code == 500 and b"bank_unavailable" in soap.content
    bank.clear_faults()
    assert _state(bank, src, dst) == before


def test_all_paths_when_paths_is_null(bank):
    bank.set_faults(error_rate=1.0)
    try:
        assert bank.http.get("/api/v1/ledger/check",
                             headers=bank.headers("ledger")).status_code == 503
        assert bank.http.get("/health").status_code == 200  # health and sandbox stay up
    finally:
        bank.clear_faults()


def test_hang_times_the_client_out_and_writes_nothing(bank, pair):
    src, dst = pair
    before = _state(bank, src, dst)
    bank.set_faults(hang=True, paths=["/api/v1/ledger/transfers"])
    key = new_key()
    with pytest.raises(httpx.TimeoutException):
        bank.http.post("/api/v1/ledger/transfers", timeout=1.0,
                       headers={**bank.headers("ledger"), "Idempotency-Key": key},
                       json={"from_account": src, "to_account": dst, "amount": "5.00",
                             "currency": "UAH"})
    assert _state(bank, src, dst) == before  # the bank is still answering other paths
    bank.clear_faults()
    time.sleep(0.1)
    retry = ledger_transfer(bank, src, dst, "5.00", key)  # the client's retry with the same key
    assert retry.status_code == 200
    assert bank.balance(src) == "95.00"
    time.sleep(8.5)  # the hung request has now finished sleeping: still nothing extra
    assert bank.balance(src) == "95.00" and bank.check_ledger()["balanced"]


def test_reset_reseeds(bank):
    account = bank.open_account("5.00")
    bank.reset()
    assert bank.check_ledger()["balanced"]
    gone = bank.http.get(f"/api/v1/ledger/accounts/{account}", headers=bank.headers("ledger"))
    assert gone.status_code == 404
    assert bank.login("+380501112233", "telegram:after-reset")["first_name"] == "Anna"
