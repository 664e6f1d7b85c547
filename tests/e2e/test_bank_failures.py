"""The bank fails in the middle of a money move (the sandbox's switches, `PUT /sandbox/faults`):
the customer gets the exact answer the conversation design promises, and the bank shows that no
money moved (balances from the bank's own API, ledger balanced). Then the bank recovers and a
retry moves the money exactly once.

Through the real stack: REST channel → Rasa → action server → bank client → sandbox."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tests.e2e.helpers import (
    TARAS_CARD,
    TARAS_PHONE,
    accounts,
    assert_ledger_balanced,
    flat,
    log_in,
    money,
    uah_balance,
)

BANK_DOWN = (
    "Sorry, the bank isn't responding right now, so I couldn't do that. Nothing was changed. "
    "Please try again in a few minutes."
)
TRANSFER_NOT_CONFIRMED = (
    'The bank didn\'t answer in time, so the transfer is not confirmed yet. Tap "Send" to try '
    'again: it\'s safe, the money can\'t go twice. Or tap "Cancel".'
)
# error: the bank answers 503 at once; slow: it answers after the client's 2.5 s budget (and may
# still post the transfer afterwards); hang: it never answers in time and writes nothing.
FAULTS = {
    "error": {"error_rate": 1.0},
    "slow": {"latency_ms": 3500},
    "hang": {"hang": True},
}


@pytest.fixture
def faults(corebank):
    yield corebank
    corebank.clear_faults()


def _texts(chat, sender: str, text: str) -> list[str]:
    return [flat(t) for t in chat.texts(sender, text)]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_transfer_when_the_bank_fails(chat, rasa_server, corebank, faults, fault) -> None:
    sender = chat.new_sender(f"f-trf-{fault}")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    quote = _texts(chat, sender, f"send 10 uah to {TARAS_CARD}")
    assert quote[0].startswith(f"Send {money(10)} to •••• 0023 (Taras S., a card of our bank)?")

    corebank.set_faults(paths=["/api/v1/me/transfers"], **FAULTS[fault])
    # The retry offer, and the same quote again with its Send / Cancel buttons.
    assert _texts(chat, sender, "yes") == [TRANSFER_NOT_CONFIRMED, quote[0]]
    if fault != "slow":  # a slow bank may still post it: that is what the retry settles
        assert uah_balance(corebank, sender) == before
    assert_ledger_balanced(corebank)

    corebank.clear_faults()
    time.sleep(1.5 if fault == "slow" else 0)  # the sandbox finishes what it was doing
    done = _texts(chat, sender, "yes")
    after = before - Decimal("10.00")
    assert done[0].startswith(f"Done! {money(10)} went to •••• 0023. Fee: {money(0)}. "
                              f"Your balance is now {money(after)}. Receipt No. "), done
    assert uah_balance(corebank, sender) == after  # exactly once, whatever the fault did
    assert_ledger_balanced(corebank)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize(
    ("what", "path", "message"),
    [
        ("topup", "/api/v1/me/topups", "top up my card with 100 uah"),
        ("request", "/api/v1/me/payment-requests", "ask a friend for 50 uah"),
    ],
)
def test_link_creation_when_the_bank_fails(
    chat, rasa_server, corebank, faults, fault, what, path, message
) -> None:
    sender = chat.new_sender(f"f-{what}-{fault}")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    before = accounts(corebank, sender)
    corebank.set_faults(paths=[path], **FAULTS[fault])
    assert _texts(chat, sender, message) == [BANK_DOWN]
    corebank.clear_faults()
    assert accounts(corebank, sender) == before
    assert_ledger_balanced(corebank)
