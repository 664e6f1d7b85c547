"""A slow, hanging or failing bank: answers within the budget, retries only what is safe to
repeat, and never moves money twice (checked against the sandbox's own ledger)."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import pytest

from bankclient import errors

from .conftest import ANNA, TARAS_CARD, login, new_key

BUDGET = 3.0  # the customer gets an answer within 3 s (BANK_TIMEOUT_SECONDS is 2.5)


@pytest.fixture(scope="module")
def corebank(corebank_factory):
    """Its own sandbox: these tests are about faults and retries, so the step-up rules for
    first-time recipients and the running daily total (tested in test_transfers_sandbox.py
    and tests/corebank/transfers) are off; the amount rule stays on."""
    return corebank_factory(extra_env={"STEP_UP_NEW_RECIPIENT": "false",
                                       "STEP_UP_DAILY_THRESHOLD": "1000000"})


async def test_slow_bank_gives_bank_unavailable_within_budget(bank, corebank, faults):
    who = await login(bank, corebank, ANNA)
    faults.set_faults(latency_ms=5000, paths=["/api/v1/me/accounts"])
    started = time.monotonic()
    with pytest.raises(errors.BankUnavailable) as info:
        await bank.accounts.balances(who)
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET, f"answered after {elapsed:.2f} s"
    assert "isn't responding" in errors.user_message(info.value)


async def test_hanging_bank_and_soap_within_budget(bank, corebank, faults):
    who = await login(bank, corebank, ANNA)
    card_id = (await bank.cards.owned(who))[0].card_id
    faults.set_faults(hang=True, paths=["/api/v1/me/cards", "/soap/legacy"])
    for call in (bank.cards.owned(who), bank.cards.status(who, card_id)):
        started = time.monotonic()
        with pytest.raises(errors.BankUnavailable):
            await call
        assert time.monotonic() - started < BUDGET


async def test_bank_down_is_bank_unavailable(corebank):
    from bankclient import Bank

    from .conftest import settings_for

    # Nothing listens on port 9 of loopback: connection refused, fast.
    b = Bank(settings_for(corebank, url="http://127.0.0.1:9"))
    try:
        started = time.monotonic()
        with pytest.raises(errors.BankUnavailable):
            await b.cards.tariffs()
        with pytest.raises(errors.BankUnavailable):
            await b.bills.providers()
        assert time.monotonic() - started < 2 * BUDGET
    finally:
        await b.close()


async def test_5xx_retried_once_for_idempotent_calls_only(bank, corebank, faults):
    who = await login(bank, corebank, ANNA)
    attempts = bank.transport.rest.attempts
    taras = (await bank.vault.tokenize_card(TARAS_CARD)).card_token
    quote = await bank.transfers.quote(who, taras, Decimal("1.00"))
    faults.set_faults(error_rate=1.0, paths=["/api/v1/me"])

    with pytest.raises(errors.BankUnavailable):
        await bank.accounts.balances(who)  # GET: retried once
    assert attempts["GET /api/v1/me/accounts"] == 2

    with pytest.raises(errors.BankUnavailable):
        await bank.transfers.quote(who, taras, Decimal("1.00"))  # plain POST: never retried
    assert attempts["POST /api/v1/me/transfers/quote"] == 2  # 1 before faults + 1

    with pytest.raises(errors.BankUnavailable):
        await bank.transfers.execute(who, quote.quote_id, idempotency_key="k-" + who)
    assert attempts["POST /api/v1/me/transfers"] == 2  # keyed POST: retried once

    faults.clear_faults()
    # Nothing was posted by the failed attempts: the same key now posts exactly once.
    done = await bank.transfers.execute(who, quote.quote_id, idempotency_key="k-" + who)
    assert done.status == "completed"


async def test_every_money_move_is_keyed_so_retried_once(bank, corebank, faults):
    """Top-ups, payment requests and card issue carry their key, so a 5xx is retried once."""
    who = await login(bank, corebank, ANNA)
    attempts = bank.transport.rest.attempts
    faults.set_faults(error_rate=1.0, paths=["/api/v1/me"])
    with pytest.raises(errors.BankUnavailable):
        await bank.payments.create_topup(who, Decimal("10"), idempotency_key=new_key())
    with pytest.raises(errors.BankUnavailable):
        await bank.payments.create_payment_request(who, Decimal("10"), idempotency_key=new_key())
    with pytest.raises(errors.BankUnavailable):
        await bank.cards.issue(who, "basic", "Anna Ivanova", idempotency_key=new_key())
    assert attempts["POST /api/v1/me/topups"] == 2
    assert attempts["POST /api/v1/me/payment-requests"] == 2
    assert attempts["POST /api/v1/me/cards"] == 2
    # Not a money move, not keyed: sent once.
    with pytest.raises(errors.BankUnavailable):
        await bank.cards.secure_link(who, "set_password")
    assert attempts["POST /api/v1/me/secure-links"] == 1


async def test_flaky_bank_never_posts_a_transfer_twice(bank, corebank, faults):
    who = await login(bank, corebank, ANNA)
    taras = (await bank.vault.tokenize_card(TARAS_CARD)).card_token
    before = {t.id for t in await bank.accounts.history(who, limit=50)}
    quotes = [
        (await bank.transfers.quote(who, taras, Decimal("1.00"))).quote_id for _ in range(8)
    ]
    keys = [f"flaky-{uuid.uuid4()}" for _ in quotes]
    # Deterministic flakiness: every other attempt meets a bank that fails every call (a random
    # 50% rate could let all eight through, or fail all eight, and the test prove nothing).
    outcome: dict[str, str | None] = {}
    for index, (quote_id, key) in enumerate(zip(quotes, keys, strict=True)):
        if index % 2:
            faults.set_faults(error_rate=1.0, paths=["/api/v1/me/transfers"])
        else:
            faults.clear_faults()
        try:
            outcome[key] = (
                await bank.transfers.execute(who, quote_id, idempotency_key=key)
            ).transfer_id
        except errors.BankUnavailable:
            outcome[key] = None
    faults.clear_faults()
    assert [outcome[key] is None for key in keys] == [False, True] * 4
    # The conversation repeats every money move with its own key (e.g. a doubled message).
    for quote_id, key in zip(quotes, keys, strict=True):
        replay = await bank.transfers.execute(who, quote_id, idempotency_key=key)
        if outcome[key] is not None:
            assert replay.transfer_id == outcome[key]
    new = [t for t in await bank.accounts.history(who, limit=50) if t.id not in before]
    debits = [t for t in new if t.amount == Decimal("-1.00")]
    assert len(debits) == len(quotes)  # each transfer posted exactly once
    assert corebank.check_ledger()["balanced"] is True


async def test_timed_out_transfer_is_settled_by_replaying_its_key(bank, corebank, faults):
    """A timeout on a money move means "outcome unknown": the bank may still post it after we
    gave up. Replaying the same Idempotency-Key tells the truth and never posts twice."""
    import asyncio

    who = await login(bank, corebank, ANNA)
    taras = (await bank.vault.tokenize_card(TARAS_CARD)).card_token
    quote = await bank.transfers.quote(who, taras, Decimal("1.00"))
    before = {t.id for t in await bank.accounts.history(who, limit=50)}
    key = f"slow-{uuid.uuid4()}"
    faults.set_faults(latency_ms=3500, paths=["/api/v1/me/transfers"])
    started = time.monotonic()
    with pytest.raises(errors.BankUnavailable):
        await bank.transfers.execute(who, quote.quote_id, idempotency_key=key)
    assert time.monotonic() - started < BUDGET
    await asyncio.sleep(1.5)  # the sandbox finishes the request we abandoned
    faults.clear_faults()
    settled = await bank.transfers.execute(who, quote.quote_id, idempotency_key=key)
    assert settled.status == "completed"
    new = [t for t in await bank.accounts.history(who, limit=50) if t.id not in before]
    assert [t.amount for t in new] == [Decimal("-1.00")]
