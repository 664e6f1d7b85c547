"""The bank's step-up rules seen from the transfer form, with the bank's default settings:
a first transfer to a card and a running daily total above STEP_UP_DAILY_THRESHOLD each need a
code, and the customer is told which (not "transfers above 500")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.actions.helpers import responses
from tests.actions.transfers.test_transfer_form import (
    ANNA,
    TARAS_CARD,
    Chat,
    card_token,
    ent,
)
from tests.actions.transfers.test_transfer_form import bank as bank  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def sandbox(corebank_factory):
    return corebank_factory()  # the bank's defaults: every step-up rule on


async def _code(bank, sandbox, chat):
    ref = (await bank.vault.store_secret("otp", sandbox.sms_code(ANNA))).secret_ref
    return await chat.say(ref, "inform", [ent("otp_ref", ref)])


async def test_first_transfer_to_a_card_then_daily_total(bank, sandbox):
    anna = Chat(sandbox)
    before = anna.balance()
    token = await card_token(bank, TARAS_CARD)
    await anna.say(f"send 400 to {token}", "transfer_money",
                   [ent("amount", "400"), ent("card_token", token)])
    messages = await anna.say("yes", "affirm")
    assert responses(messages) == ["utter_transfer_step_up_new_recipient"]
    assert anna.balance() == before  # nothing sent without the code
    await _code(bank, sandbox, anna)
    assert anna.slots["transfer_status"] == "completed"

    second = Chat(sandbox)  # a known card now; 800 today with it: no code
    await second.say(f"send 400 to {token}", "transfer_money",
                     [ent("amount", "400"), ent("card_token", token)])
    await second.say("yes", "affirm")
    assert second.slots["transfer_status"] == "completed"

    third = Chat(sandbox)  # 1,200 today with it: above the running threshold
    await third.say(f"send 400 to {token}", "transfer_money",
                    [ent("amount", "400"), ent("card_token", token)])
    messages = await third.say("yes", "affirm")
    assert responses(messages) == ["utter_transfer_step_up_daily_total"]
    assert third.balance() == before - Decimal("800.00")
    await _code(bank, sandbox, third)
    assert third.slots["transfer_status"] == "completed"
    assert third.balance() == before - Decimal("1200.00")
