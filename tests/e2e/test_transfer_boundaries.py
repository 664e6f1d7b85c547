"""Transfer boundaries through the chat, with the bank's rules taken from the sandbox's settings
(corebank/core/settings.py: STEP_UP_THRESHOLD 500.00, NETWORK_FEE_PERCENT 1.0, NETWORK_FEE_MIN
5.00; the session sandbox runs with those defaults): step-up at exactly the threshold and one
cent above, the fee rounded half-up to the cent, and a balance that covers the amount but not
the fee."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from corebank.core.settings import get_settings
from tests.e2e.helpers import (
    DEMO_PHONE,
    OTHER_BANK_CARD,
    TARAS_CARD,
    TARAS_PHONE,
    accounts,
    assert_ledger_balanced,
    flat,
    log_in,
    money,
    uah_balance,
)

RULES = get_settings()
CANCELLED = ["Okay, I've cancelled the transfer. No money was sent."]


def texts(chat, sender: str, text: str) -> list[str]:
    return [flat(t) for t in chat.texts(sender, text)]


def test_the_rules_are_the_documented_defaults() -> None:
    """The figures below are derived from these; if the defaults change, so do the tests."""
    assert RULES.step_up_threshold == Decimal("500.00")
    assert (RULES.network_fee_percent, RULES.network_fee_min) == (Decimal("1.0"), Decimal("5.00"))


def test_exactly_the_threshold_needs_no_code(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("b-500")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    amount = RULES.step_up_threshold
    chat.send(sender, f"send {amount} uah to {TARAS_CARD}")
    done = texts(chat, sender, "yes")
    assert done[0].startswith(f"Done! {money(amount)} went to •••• 0023."), done
    assert uah_balance(corebank, sender) == before - amount
    assert_ledger_balanced(corebank)


def test_one_cent_above_the_threshold_asks_for_a_code(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("b-501")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    amount = RULES.step_up_threshold + Decimal("0.01")
    chat.send(sender, f"send {amount} uah to {TARAS_CARD}")
    asked = texts(chat, sender, "yes")
    assert asked == [
        f"Transfers above {money(RULES.step_up_threshold)} need one more check: I've sent a code "
        "to +38050•••2233.",
        "Please type the code from the SMS to confirm the transfer.",
    ]
    assert uah_balance(corebank, sender) == before  # nothing moves before the code
    done = texts(chat, sender, corebank.sms_code(DEMO_PHONE))
    assert done[0].startswith(f"Done! {money(amount)} went to •••• 0023."), done
    assert uah_balance(corebank, sender) == before - amount
    assert_ledger_balanced(corebank)


def network_fee(amount: Decimal) -> Decimal:
    fee = (amount * RULES.network_fee_percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return max(fee, RULES.network_fee_min)


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("499.99", "5.00"),  # 1% is 5.00 (4.9999 rounded)
        ("300.00", "5.00"),  # 1% is 3.00: the minimum applies
        ("1234.50", "12.35"),  # 12.345: half-up, not half-even (12.34)
        ("1000.49", "10.00"),  # 10.0049 rounds down
    ],
)
def test_network_fee_rounding(chat, rasa_server, corebank, amount, fee) -> None:
    assert network_fee(Decimal(amount)) == Decimal(fee)  # the table agrees with the rule
    sender = chat.new_sender("b-fee")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    quote = texts(chat, sender, f"send {amount} uah to {OTHER_BANK_CARD}")
    total = Decimal(amount) + Decimal(fee)
    assert quote == [
        f"Send {money(amount)} to •••• 4444 (Mastercard Test Bank, through the card network)? "
        f"Fee: {money(fee)}. Total: {money(total)}."
    ]
    assert texts(chat, sender, "no") == CANCELLED
    assert uah_balance(corebank, sender) == before


def test_balance_covers_the_amount_but_not_the_fee(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("b-nofee")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)  # basic, no credit (not Olena: frozen)
    (uah,) = [a for a in accounts(corebank, sender) if a["currency"] == "UAH"]
    available = Decimal(uah["available"])
    total = available + network_fee(available)
    assert texts(chat, sender, f"send {available} uah to {OTHER_BANK_CARD}") == [
        f"There isn't enough money for that: the transfer would take {money(total)} and you have "
        f"{money(available)} available.",
        "How much would you like to send? For example 500 or 1 250.50 UAH.",
    ]
    assert texts(chat, sender, "no") == CANCELLED
    assert uah_balance(corebank, sender) == Decimal(uah["balance"])
    assert_ledger_balanced(corebank)
