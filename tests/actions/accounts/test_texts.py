"""How balances, transactions and bank details read in a chat (no bank needed)."""

from __future__ import annotations

from decimal import Decimal

from actions.accounts.balance import balance_text
from actions.accounts.bank_details import bank_details_text
from actions.accounts.transactions import transactions_text
from bankclient import Account, BankDetails, Transaction


def test_balance_text_formats_every_account():
    text = balance_text(
        [
            Account(account_id="acc_1", currency="UAH", balance=Decimal("1500.5"),
                    available=Decimal("11500.50"), credit_limit=Decimal("10000")),
            Account(account_id="acc_2", currency="USD", balance=Decimal("20"),
                    available=Decimal("20"), credit_limit=Decimal("0")),
        ]
    )  # fmt: skip
    assert "11,500.50 UAH available" in text
    assert "credit limit 10,000.00 UAH" in text
    assert "USD account: 20.00 USD available" in text


def test_transactions_text_is_a_clean_table():
    text = transactions_text(
        Transaction.many(
            [
                {"id": "tx_2", "at": "2026-11-20T10:00:00Z", "description": "Coffee  Point   Kyiv",
                 "amount": "-85.00", "currency": "UAH", "balance_after": "915.00"},
                {"id": "tx_1", "at": "2026-11-19T09:00:00Z",
                 "description": "Top-up from another bank card",
                 "amount": "1000.00", "currency": "UAH", "balance_after": "1000.00"},
            ]
        )
    )  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == "Your last 2 transactions:"
    assert "20 Nov  Coffee Point Kyiv" in lines[1] and lines[1].endswith("-85.00 UAH")
    assert lines[2].endswith("+1,000.00 UAH")
    assert len(lines[1]) == len(lines[2])  # aligned columns
    assert lines[-1] == "Balance now: 915.00 UAH"


def test_transactions_in_several_currencies_have_no_single_balance():
    text = transactions_text(
        Transaction.many(
            [
                {"id": "tx_2", "at": "2026-11-20T10:00:00Z", "description": "Opening balance",
                 "amount": "300.00", "currency": "USD", "balance_after": "300.00"},
                {"id": "tx_1", "at": "2026-11-19T09:00:00Z", "description": "Opening balance",
                 "amount": "25000.00", "currency": "UAH", "balance_after": "25000.00"},
            ]
        )
    )  # fmt: skip
    assert "Balance now" not in text
    assert "+25,000.00 UAH" in text and "+300.00 USD" in text


def test_bank_details_text_groups_the_iban():
    text = bank_details_text(
        BankDetails(holder="Anna Ivanova", iban="UA213223130000026007233566001", bic="BANKUAUK",
                    bank_name="Messenger Bank", currency="UAH")
    )  # fmt: skip
    assert "IBAN: UA21 3223 1300 0002 6007 2335 6600 1" in text
    assert "Recipient: Anna Ivanova" in text
