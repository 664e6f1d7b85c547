"""The money paths on PostgreSQL across domains: racing completions of one top-up, racing
transfers with one idempotency key."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from corebank.devserver import throwaway_postgres
from tests.corebank.harness import (
    ANNA_PHONE,
    TARAS_CARD,
    Bank,
    new_topup,
    nonce,
    path,
    run_sandbox,
)
from tests.fixtures.services import require_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_bank(tmp_path_factory, webhook_receiver):
    require_postgres()  # skips loudly (fails under CI=true) when the server is down
    with throwaway_postgres("cb_features") as url:
        tmp = tmp_path_factory.mktemp("corebank-pg")
        with run_sandbox(tmp, webhook_receiver.url, database_url=url) as base_url:
            client = Bank(base_url)
            yield client
            client.http.close()


def test_racing_topup_completions_credit_once(pg_bank, webhook_receiver):
    bank = pg_bank
    identity = bank.new_card_holder()
    url = path(bank, new_topup(bank, identity, "40.00")["payment_url"])
    page = bank.http.get(url)
    r = bank.http.post(url, data={"nonce": nonce(page.text), "card_number": "4111111111111111",
                                  "expiry": "12/39", "cvv": "123"})
    code_nonce = nonce(r.text)

    def complete(_):
        with httpx.Client(base_url=bank.url, timeout=15) as client:
            return client.post(url, data={"nonce": code_nonce, "code": "111111"}).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(complete, range(6)))
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409}, statuses
    assert bank.balance(identity) == Decimal("40.00")
    bank.assert_balanced()


def test_racing_transfers_same_key(pg_bank):
    bank = pg_bank
    anna = bank.login(ANNA_PHONE)
    before = bank.balance(anna)
    q = bank.post("/api/v1/me/transfers/quote",
                  {"to_card_token": bank.tokenize(TARAS_CARD), "amount": "12.34"}, anna).json()
    key = secrets.token_hex(8)
    body = {"quote_id": q["quote_id"]}
    if q["requires_step_up"]:  # a first transfer to this card needs a code
        body["step_up_token"] = bank.step_up(anna, ANNA_PHONE, q["quote_id"])

    def send(_):
        return bank.post("/api/v1/me/transfers", body, anna, key)

    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(send, range(5)))
    ok = [r for r in responses if r.status_code == 201]
    assert ok and all(r.json() == ok[0].json() for r in ok)
    assert all(r.status_code in (201, 409) for r in responses)
    assert bank.balance(anna) == before - Decimal("12.34")
    bank.assert_balanced()
