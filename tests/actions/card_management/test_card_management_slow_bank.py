"""A slow bank at "yes, block it", against the real sandbox's fault switches: the bank client's
deadline passes while the sandbox is still working, so the action looks the card up
(GetCardStatus) before answering. Changed → done (and the usual answer and reissue offer); not
changed → said so; the lookup slow too → "couldn't confirm, check again", never "nothing was
changed" (the block may land a moment later, and here it does)."""

from __future__ import annotations

import asyncio

import pytest

from actions.card_management import operations
from actions.card_management.submit import ActionCardManageSubmit
from bankclient import close_bank, get_bank, new_idempotency_key
from tests.actions.helpers import make_tracker, responses, run, slot_events
from tests.actions.login import login, new_sender, random_phone

DEADLINE = "1.0"  # the bank client's budget per call here (seconds)
# ms: the sandbox does the change at once but answers after the client gave up (answer_latency_ms)
LATE = 2200


@pytest.fixture
async def slow_bank(bank, corebank, monkeypatch):
    """The bank client with a short deadline; lookups a second apart."""
    monkeypatch.setenv("BANK_TIMEOUT_SECONDS", DEADLINE)
    monkeypatch.setattr(operations, "STATUS_CHECKS", 4)
    monkeypatch.setattr(operations, "STATUS_CHECK_PAUSE_SECONDS", 1.0)
    await close_bank()
    yield get_bank()
    corebank.clear_faults()
    await close_bank()


async def _holder(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender, phone=random_phone())
    who = f"rest:{sender}"
    card = await bank.cards.issue(who, "basic", "Slow Bank", idempotency_key=new_idempotency_key())
    return sender, who, card


def _yes(sender, card):
    slots = {"logged_in": True, "card_mgmt_op": "lock", "managed_card": card.card_id,
             "card_lock_reason": "stolen", "managed_card_masked": card.masked,
             "lock_confirmed": True}
    return make_tracker(sender, "yes", "affirm", slots=slots)


async def _yes_while(corebank, tracker, lift_after: float | None):
    """Run the submit; lift the faults `lift_after` seconds in (the block request is by then in
    the sandbox, the status lookups that follow are not slowed)."""
    action = asyncio.create_task(run(ActionCardManageSubmit(), tracker))
    if lift_after is not None:
        await asyncio.sleep(lift_after)
        await asyncio.to_thread(corebank.clear_faults)
    return await action


async def test_slow_block_that_went_through_is_reported_done(slow_bank, corebank):
    sender, who, card = await _holder(slow_bank, corebank)
    corebank.set_faults(answer_latency_ms=LATE, paths=["/soap/legacy"])
    events, messages = await _yes_while(corebank, _yes(sender, card), lift_after=0.4)
    assert responses(messages) == ["utter_card_change_late_done", "utter_card_blocked",
                                   "utter_card_reissue_offer"]
    assert slot_events(events)["card_mgmt_flow"] == "reissue_offer"
    status = await slow_bank.cards.status(who, card.card_id)
    assert status.blocked and status.status_reason == "stolen"


async def test_slow_block_that_did_not_happen_is_said_so(slow_bank, corebank):
    sender, who, card = await _holder(slow_bank, corebank)
    # A hung request fails inside the sandbox before its handler: the block never runs.
    corebank.set_faults(hang=True, paths=["/soap/legacy"])
    events, messages = await _yes_while(corebank, _yes(sender, card), lift_after=0.4)
    assert responses(messages) == ["utter_card_change_late_unchanged"]
    assert messages[0]["masked"] == card.masked and messages[0]["what"] == "blocked"
    assert slot_events(events)["card_mgmt_flow"] == "none"
    assert (await slow_bank.cards.status(who, card.card_id)).status == "active"


async def test_slow_block_and_slow_lookup_is_not_called_unchanged(slow_bank, corebank):
    sender, who, card = await _holder(slow_bank, corebank)
    corebank.set_faults(answer_latency_ms=LATE, paths=["/soap/legacy"])
    try:
        events, messages = await _yes_while(corebank, _yes(sender, card), lift_after=None)
    finally:
        corebank.clear_faults()
    assert responses(messages) == ["utter_card_change_unconfirmed"]
    assert messages[0]["what"] == "blocked"
    assert "utter_bank_unavailable" not in responses(messages)  # no "Nothing was changed"
    assert slot_events(events)["card_mgmt_flow"] == "none"
    # And rightly so: the bank did the block, only its answers came too late.
    assert (await slow_bank.cards.status(who, card.card_id)).blocked
