"""Hundreds of concurrent transfers out of one account: no overdraft, exactly once, balanced."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from decimal import Decimal

import httpx
import pytest

from tests.corebank.helpers import new_key

UNIQUE = 220
DUPLICATES = 60
AMOUNT = Decimal("10.00")
FUNDS = Decimal("1000.00")  # covers exactly 100 of the 220 transfers


async def _fire(bank, jobs):
    # Keep-alive shorter than uvicorn's 5 s: a pooled connection the server is closing at that
    # very moment failed a request once under CI load (httpx.ReadError). A dropped answer is
    # also retried, with the same key, as a real client does: the key makes it exactly-once.
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=1)
    headers = bank.headers("ledger")
    async with httpx.AsyncClient(base_url=bank.base_url, limits=limits, timeout=60) as client:
        async def one(key, src, dst):
            for attempt in range(3):
                try:
                    resp = await client.post(
                        "/api/v1/ledger/transfers", headers={**headers, "Idempotency-Key": key},
                        json={"from_account": src, "to_account": dst, "amount": str(AMOUNT),
                              "currency": "UAH", "description": "concurrency test"})
                    return key, resp.status_code, resp.json()
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    if attempt == 2:
                        raise

        return await asyncio.gather(*(one(*job) for job in jobs))


def _run(bank):
    src = bank.open_account(str(FUNDS))
    targets = [bank.open_account() for _ in range(5)]
    before = bank.check_ledger()
    keys = [new_key() for _ in range(UNIQUE)]
    jobs = [(k, src, targets[i % len(targets)]) for i, k in enumerate(keys)]
    jobs += [(k, src, targets[keys.index(k) % len(targets)])
             for k in random.Random(7).sample(keys, DUPLICATES)]
    random.Random(11).shuffle(jobs)
    results = asyncio.run(_fire(bank, jobs))
    return src, targets, before, results


def _assert_invariants(bank, src, targets, before, results):
    by_key = defaultdict(list)
    for key, status, body in results:
        assert status in (200, 409), (status, body)
        if status == 409:
            assert body["error"]["code"] == "insufficient_funds", body
        by_key[key].append((status, body))
    succeeded = {k: [b for s, b in v if s == 200] for k, v in by_key.items()}
    succeeded = {k: v for k, v in succeeded.items() if v}
    # exactly once: every success for a key is the same journal
    for bodies in succeeded.values():
        assert len({b["journal_id"] for b in bodies}) == 1
    assert len(succeeded) == int(FUNDS / AMOUNT)
    assert Decimal(bank.balance(src)) == FUNDS - AMOUNT * len(succeeded) == 0
    assert sum(Decimal(bank.balance(t)) for t in targets) == FUNDS
    after = bank.check_ledger()
    assert after["balanced"], after
    assert after["journals"] - before["journals"] == len(succeeded)
    assert after["postings"] - before["postings"] == 2 * len(succeeded)


def test_concurrent_transfers(corebank_any):
    src, targets, before, results = _run(corebank_any)
    assert len(results) == UNIQUE + DUPLICATES
    _assert_invariants(corebank_any, src, targets, before, results)


@pytest.mark.postgres
def test_concurrent_transfers_across_worker_processes(corebank_factory):
    """Production shape: two uvicorn worker processes sharing one PostgreSQL database."""
    bank = corebank_factory(pg=True, workers=2)
    src, targets, before, results = _run(bank)
    _assert_invariants(bank, src, targets, before, results)
