"""Card management against the sandbox's legacy SOAP API: block for fraud, reissue later (once,
even when two chats of the same customer ask at the same moment), typed errors, and the slow or
failing bank."""

from __future__ import annotations

import asyncio

import pytest

from bankclient import BlockedCard, errors

from .conftest import login, new_key, new_phone


async def _customer_with_card(bank, corebank):
    who = await login(bank, corebank, new_phone())
    card = await bank.cards.issue(who, "basic", "Card Keeper", idempotency_key=new_key())
    return who, card


async def test_block_for_fraud_then_reissue_once(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    blocked = await bank.cards.block(who, card.card_id, "fraud", reissue=False)
    assert blocked.status == "blocked" and blocked.status_reason == "fraud"
    assert blocked.replacement is None
    listed = {c.card_id: c for c in await bank.cards.owned(who)}
    assert listed[card.card_id].replaced_by is None

    new = await bank.cards.reissue(who, card.card_id)
    assert isinstance(new, BlockedCard) and new.replacement is not None
    assert new.replacement.masked.startswith("••••") and new.replacement.card_id != card.card_id
    again = await bank.cards.reissue(who, card.card_id)
    assert again.replacement.card_id == new.replacement.card_id  # no second card
    cards = await bank.cards.owned(who)
    assert [c.status for c in cards] == ["blocked", "active"]
    assert {c.card_id: c for c in cards}[card.card_id].replaced_by == new.replacement.card_id


async def test_two_chats_block_and_reissue_at_once_change_the_bank_once(bank, corebank):
    """The same customer in two chats (two messenger identities, one customer) blocks the same
    card and asks for a new one at the same moment: one block, one new card."""
    phone = new_phone()
    first = await login(bank, corebank, phone)
    second = await login(bank, corebank, phone, identity=f"test:second-{new_key()[:8]}")
    card = await bank.cards.issue(first, "basic", "Twin Chats", idempotency_key=new_key())
    blocks = await asyncio.gather(
        bank.cards.block(first, card.card_id, "stolen", reissue=False),
        bank.cards.block(second, card.card_id, "lost", reissue=False),
    )
    assert {b.status for b in blocks} == {"blocked"}
    # The first block wins: the reason is the one of whoever came first, not overwritten.
    assert blocks[0].status_reason == blocks[1].status_reason
    reissued = await asyncio.gather(
        bank.cards.reissue(first, card.card_id), bank.cards.reissue(second, card.card_id)
    )
    assert reissued[0].replacement.card_id == reissued[1].replacement.card_id
    cards = await bank.cards.owned(first)
    assert len(cards) == 2 and sorted(c.status for c in cards) == ["active", "blocked"]


async def test_reissue_of_a_card_that_is_not_blocked_is_refused(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    with pytest.raises(errors.InvalidRequest):
        await bank.cards.reissue(who, card.card_id)
    assert [c.status for c in await bank.cards.owned(who)] == ["active"]


async def test_freeze_of_a_blocked_card_is_card_blocked(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    await bank.cards.block(who, card.card_id, "lost", reissue=False)
    with pytest.raises(errors.CardBlocked):
        await bank.cards.lock(who, card.card_id)
    with pytest.raises(errors.CardBlocked):
        await bank.cards.secure_link(who, "set_pin", card.card_id)


@pytest.mark.parametrize("faults", [{"error_rate": 1.0}, {"hang": True}], ids=["down", "hangs"])
async def test_bank_down_slow_or_hanging_is_bank_unavailable_and_changes_nothing(
    bank, corebank, faults
):
    who, card = await _customer_with_card(bank, corebank)
    corebank.set_faults(paths=["/soap/legacy"], **faults)
    try:
        with pytest.raises(errors.BankUnavailable):
            await bank.cards.block(who, card.card_id, "stolen", reissue=False)
    finally:
        corebank.clear_faults()
    assert (await bank.cards.status(who, card.card_id)).status == "active"


async def test_slow_bank_then_the_repeat_blocks_once(bank, corebank):
    """Slower than the client's deadline: the client gives up (BankUnavailable) while the bank
    may still finish the block later; repeating it then gives the same blocked card, once."""
    who, card = await _customer_with_card(bank, corebank)
    corebank.set_faults(paths=["/soap/legacy"], latency_ms=3500)
    try:
        with pytest.raises(errors.BankUnavailable):
            await bank.cards.block(who, card.card_id, "stolen", reissue=False)
    finally:
        corebank.clear_faults()
    await asyncio.sleep(4)  # the late request reaches the bank
    again = await bank.cards.block(who, card.card_id, "stolen", reissue=False)
    assert again.blocked and again.replacement is None
    assert [c.status for c in await bank.cards.owned(who)] == ["blocked"]
