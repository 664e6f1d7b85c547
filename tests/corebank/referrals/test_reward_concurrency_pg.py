"""Reward invariants under concurrency on PostgreSQL (a throwaway database): friends of one
inviter getting cards at the same moment are rewarded within the monthly cap, each exactly
once; one newcomer issuing with many keys at once gets one card and one reward; a purchase
reported many times at once earns its cashback once."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from corebank.devserver import throwaway_postgres
from tests.corebank.harness import ADMIN, Bank, run_sandbox
from tests.fixtures.services import require_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_bank(tmp_path_factory, webhook_receiver):
    require_postgres()
    with throwaway_postgres("referrals_test") as url:
        tmp = tmp_path_factory.mktemp("corebank-pg")
        with run_sandbox(tmp, webhook_receiver.url, database_url=url, COREBANK_WORKERS="4",
                         REFERRAL_REWARD="100.00", REFERRAL_MONTHLY_CAP="300.00") as base:
            client = Bank(base)
            yield client
            client.http.close()


def newcomer(bank: Bank, code: str) -> str:
    identity = bank.login()
    r = bank.post("/api/v1/referrals/attributions", {"code": code, "source": "code"}, identity)
    assert r.json()["status"] == "attributed", r.text
    return identity


def issue(bank: Bank, identity: str, key: str | None = None):
    return bank.post("/api/v1/me/cards", {"tier": "basic", "holder_name": "Friend Name"},
                     identity, key or secrets.token_hex(8))


def test_cap_and_exactly_once_under_concurrent_card_issues(pg_bank):
    bank = pg_bank
    inviter = bank.new_card_holder()
    code = bank.get("/api/v1/me/referral", inviter).json()["code"]
    before = bank.balance(inviter)
    friends = [newcomer(bank, code) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda who: issue(bank, who), friends))
    assert [a.status_code for a in answers] == [201] * 8
    stats = bank.get("/api/v1/me/referral", inviter).json()
    assert (stats["joined"], stats["rewarded"], stats["capped"]) == (8, 3, 5)
    assert stats["earned"] == "300.00"
    assert bank.balance(inviter) == before + Decimal("300.00")
    # every friend got the welcome bonus once
    assert all(bank.balance(f) == Decimal("50.00") for f in friends)
    bank.assert_balanced()


def test_one_newcomer_many_concurrent_issues(pg_bank):
    bank = pg_bank
    inviter = bank.new_card_holder()
    code = bank.get("/api/v1/me/referral", inviter).json()["code"]
    before = bank.balance(inviter)
    friend = newcomer(bank, code)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: issue(bank, friend), range(6)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5
    assert bank.balance(inviter) == before + Decimal("100.00")
    assert bank.balance(friend) == Decimal("50.00")
    bank.assert_balanced()


def test_concurrent_purchase_reports_earn_cashback_once(pg_bank):
    bank = pg_bank
    phone = "+380501112233"  # Anna: Digital Tariff Card, 33% at Rud
    anna = bank.login(phone)
    before = bank.balance(anna)
    key = secrets.token_hex(8)

    def buy(_):
        return bank.http.post("/sandbox/purchases", headers={
            "X-Sandbox-Token": ADMIN, "Idempotency-Key": key},
            json={"phone": phone, "partner_id": "rud", "amount": "100.00"})

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(buy, range(6)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert len({a.json()["purchase_journal_id"] for a in answers}) == 1
    assert bank.balance(anna) == before - Decimal("100.00") + Decimal("33.00")
    bank.assert_balanced()
