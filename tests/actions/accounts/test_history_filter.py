"""History filters read from free text, applied to transactions; and the filtered history action
against the sandbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from actions.accounts.history_filter import apply, parse_filter
from actions.accounts.transactions import ActionTransactionHistory
from bankclient import Transaction
from tests.actions.helpers import make_tracker, run, texts
from tests.actions.login import login, new_sender

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("text, start, end, direction, party", [
    ("what did I spend last week", date(2026, 11, 19), TODAY, "out", None),
    ("payments to Burger King", None, None, "out", "Burger King"),
    ("incoming transfers in October", date(2026, 10, 1), date(2026, 10, 31), "in", None),
    ("money from mom this month", date(2026, 11, 1), TODAY, "in", "mom"),
    ("what did i buy yesterday", date(2026, 11, 25), date(2026, 11, 25), "out", None),
    ("show my transactions", None, None, None, None),
    ("show the last 10 transactions", None, None, None, None),
    ("spent in the last 30 days", date(2026, 10, 28), TODAY, "out", None),
    ("what did i pay to the supermarket in march", date(2026, 3, 1), date(2026, 3, 31), "out",
     "supermarket"),
    ("payments in december", date(2025, 12, 1), date(2025, 12, 31), "out", None),
])  # fmt: skip
def test_parse_filter(text, start, end, direction, party):
    wanted = parse_filter(text, TODAY)
    assert (wanted.start, wanted.end, wanted.direction, wanted.party) == (
        start, end, direction, party)


def _tx(day: str, amount: str, description: str) -> Transaction:
    return Transaction(id=day + description, amount=Decimal(amount), currency="UAH",
                       at=f"{day}T12:00:00Z", description=description)


def test_apply():
    txs = [_tx("2026-11-25", "-189.00", "Burger King Kyiv"), _tx("2026-11-20", "5000.00",
           "Transfer from Olena K."), _tx("2026-10-03", "-60.00", "Burger King"),
           _tx("2026-10-10", "1200.00", "Salary")]  # fmt: skip
    assert [t.amount for t in apply(txs, parse_filter("payments to burger king", TODAY))] == [
        Decimal("-189.00"), Decimal("-60.00")]
    assert [t.description for t in apply(txs, parse_filter("incoming in october", TODAY))] == [
        "Salary"]
    assert apply(txs, parse_filter("what did i spend last week", TODAY)) == txs[:1]


async def test_filtered_history_against_the_sandbox(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender)  # Anna: her opening balances arrived at seed time
    tracker = make_tracker(sender, "what came in this month", "transaction_history",
                           slots={"logged_in": True})
    _, messages = await run(ActionTransactionHistory(), tracker)
    text = texts(messages)
    assert text.startswith("Incoming this month: ") and "found" in text
    assert "-" not in text.split("\n", 1)[1].replace("UAH", "")  # nothing outgoing listed
    tracker = make_tracker(sender, "payments to Nonexistent Shop", "transaction_history",
                           slots={"logged_in": True})
    _, messages = await run(ActionTransactionHistory(), tracker)
    assert texts(messages) == ("Outgoing to Nonexistent Shop: nothing found among your latest "
                               "transactions.")
