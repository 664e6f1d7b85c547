"""Accounts against the sandbox: typed balances, history and bank details."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankclient import Account, BankDetails, Transaction, errors

from .conftest import ANNA, TARAS, TARAS_CARD, login, new_key, new_phone, step_up_if_needed


async def test_balances_are_typed_money(bank, corebank):
    who = await login(bank, corebank, ANNA)
    accounts = await bank.accounts.balances(who)
    assert accounts and all(isinstance(a, Account) for a in accounts)
    uah = next(a for a in accounts if a.currency == "UAH")
    assert uah.available == uah.balance + uah.credit_limit
    assert uah.credit_limit > 0 and uah.iban.startswith("UA")


async def test_history_shows_a_transfer_with_the_balance_after(bank, corebank):
    who = await login(bank, corebank, TARAS)
    anna = await login(bank, corebank, ANNA)
    taras = await bank.vault.tokenize_card(TARAS_CARD)
    quote = await bank.transfers.quote(anna, taras.card_token, Decimal("1.25"))
    code = await step_up_if_needed(bank, corebank, anna, ANNA, quote)
    await bank.transfers.execute(anna, quote.quote_id, step_up_token=code,
                                 idempotency_key=new_key())
    history = await bank.accounts.history(who, limit=5)
    assert all(isinstance(t, Transaction) for t in history) and len(history) <= 5
    latest = history[0]
    assert latest.amount == Decimal("1.25") and latest.kind == "transfer"
    balance = next(a for a in await bank.accounts.balances(who) if a.currency == "UAH").balance
    assert latest.balance_after == balance
    assert len(await bank.accounts.history(who, limit=1)) == 1


async def test_bank_details_and_a_newcomer_without_an_account(bank, corebank):
    who = await login(bank, corebank, ANNA)
    details = await bank.accounts.bank_details(who)
    assert isinstance(details, BankDetails) and details.iban.startswith("UA")
    assert details.holder.startswith("Anna") and details.bic and details.currency == "UAH"
    newcomer = await login(bank, corebank, new_phone())
    assert await bank.accounts.balances(newcomer) == ()
    with pytest.raises(errors.NotFound):
        await bank.accounts.bank_details(newcomer)
