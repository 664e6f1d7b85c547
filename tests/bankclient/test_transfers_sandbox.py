"""Transfers against the sandbox: typed quotes and transfers, every refusal a typed error,
step-up above the threshold, and idempotency keys."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankclient import Transfer, TransferQuote, errors, idempotency_key

from .conftest import (
    ANNA,
    IRYNA_BLOCKED_CARD,
    OLENA_FROZEN_CARD,
    OTHER_BANK_CARD,
    TARAS,
    TARAS_CARD,
    login,
    new_key,
    step_up_if_needed,
)


async def _token(bank, pan: str) -> str:
    return (await bank.vault.tokenize_card(pan)).card_token


async def test_transfer_errors_are_typed(bank, corebank):
    who = await login(bank, corebank, ANNA)
    taras = await _token(bank, TARAS_CARD)
    own = (await bank.cards.owned(who))[0].card_token
    with pytest.raises(errors.OwnCard):
        await bank.transfers.quote(who, own, Decimal("10"))
    blocked = await _token(bank, IRYNA_BLOCKED_CARD)
    with pytest.raises(errors.CardBlocked):
        await bank.transfers.quote(who, blocked, Decimal("10"))
    with pytest.raises(errors.InvalidAmount):
        await bank.transfers.quote(who, taras, Decimal("0"))
    with pytest.raises(errors.LimitExceeded):
        await bank.transfers.quote(who, taras, Decimal("30000.01"))
    unknown_own = await _token(bank, "4149490000000999")
    with pytest.raises(errors.NotFound):
        await bank.transfers.quote(who, unknown_own, Decimal("10"))

    poor = await login(bank, corebank, TARAS)
    other = await _token(bank, OTHER_BANK_CARD)
    with pytest.raises(errors.InsufficientFunds):
        await bank.transfers.quote(poor, other, Decimal("5000"))


async def test_locked_recipient_card_cannot_receive(bank, corebank):
    who = await login(bank, corebank, ANNA)
    frozen = await _token(bank, OLENA_FROZEN_CARD)
    with pytest.raises(errors.CardBlocked) as info:
        await bank.transfers.quote(who, frozen, Decimal("1"))
    assert info.value.details.get("card_status") == "frozen"


async def test_transfer_with_step_up_and_idempotency(bank, corebank):
    who = await login(bank, corebank, ANNA)
    taras = await _token(bank, TARAS_CARD)
    small = await bank.transfers.quote(who, taras, Decimal("1.50"))
    assert isinstance(small, TransferQuote)
    assert small.route == "own" and small.total == Decimal("1.50")
    key = idempotency_key("transfer", who, small.quote_id)
    code = await step_up_if_needed(bank, corebank, who, ANNA, small)
    first = await bank.transfers.execute(who, small.quote_id, step_up_token=code,
                                         idempotency_key=key)
    again = await bank.transfers.execute(who, small.quote_id, step_up_token=code,
                                         idempotency_key=key)
    assert isinstance(first, Transfer) and again.transfer_id == first.transfer_id
    assert isinstance(first.balance_after, Decimal)

    other = await bank.transfers.quote(who, taras, Decimal("2"))
    with pytest.raises(errors.IdempotencyConflict):
        await bank.transfers.execute(who, other.quote_id, idempotency_key=key)

    big = await bank.transfers.quote(who, taras, Decimal("600"))
    assert big.requires_step_up is True
    with pytest.raises(errors.OtpRequired):
        await bank.transfers.execute(who, big.quote_id, idempotency_key=new_key())
    step = await bank.customers.start_step_up(who, "transfer", big.quote_id)
    token = (
        await bank.customers.verify_step_up(step.challenge_id, code=corebank.sms_code(ANNA))
    ).step_up_token
    done = await bank.transfers.execute(
        who, big.quote_id, step_up_token=token, idempotency_key=new_key()
    )
    assert done.status == "completed" and done.amount == Decimal("600.00")


async def test_quote_shows_route_fee_limits_and_recipient(bank, corebank):
    who = await login(bank, corebank, ANNA)
    own = await bank.transfers.quote(who, await _token(bank, TARAS_CARD), Decimal("10"))
    assert own.own_bank and own.fee == Decimal("0.00")
    assert own.recipient_masked_name.startswith("Taras ")  # "Taras S.": no full surname
    assert own.recipient_masked == "•••• 0023"
    assert own.limits.per_transfer >= Decimal("10") and own.limits.daily_remaining > 0
    network = await bank.transfers.quote(who, await _token(bank, OTHER_BANK_CARD), Decimal("100"))
    assert network.route == "network" and not network.own_bank
    assert network.fee > 0 and network.total == network.amount + network.fee
    assert network.recipient_masked_name is None


async def test_the_key_is_sent_so_a_doubled_message_moves_money_once(bank, corebank):
    who = await login(bank, corebank, ANNA)
    quote = await bank.transfers.quote(who, await _token(bank, TARAS_CARD), Decimal("1.00"))
    key = idempotency_key("transfer", who, quote.quote_id)
    code = await step_up_if_needed(bank, corebank, who, ANNA, quote)
    first = await bank.transfers.execute(who, quote.quote_id, step_up_token=code,
                                         idempotency_key=key)
    second = await bank.transfers.execute(who, quote.quote_id, step_up_token=code,
                                          idempotency_key=key)
    assert first == second
    assert bank.transport.rest.attempts["POST /api/v1/me/transfers"] == 2
    with pytest.raises(TypeError):
        await bank.transfers.execute(who, quote.quote_id)  # type: ignore[call-arg]
