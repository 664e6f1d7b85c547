"""The legacy SOAP client end to end against the sandbox's /soap/legacy."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from actions.bank import Bank, errors

from .conftest import ANNA, login, new_phone, settings_for


async def _customer_with_card(bank, corebank):
    who = await login(bank, corebank, new_phone())
    card = await bank.rest.issue_card(who, "basic", "Soap Tester")
    return who, card


async def test_card_status_lock_unlock_block_reissue(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    status = await bank.soap.get_card_status(who, card["card_id"])
    assert status["status"] == "active" and status["masked"] == card["masked"]
    locked = await bank.soap.lock_card(who, card["card_id"])
    assert locked["status"] == "frozen"
    assert (await bank.soap.lock_card(who, card["card_token"]))["status"] == "frozen"  # by token
    assert (await bank.soap.unlock_card(who, card["card_id"]))["status"] == "active"

    blocked = await bank.soap.block_card(who, card["card_id"], "stolen", reissue=True)
    assert blocked["status"] == "blocked" and blocked["status_reason"] == "stolen"
    assert blocked["new_card_id"] and blocked["new_card_masked"].startswith("••••")
    again = await bank.soap.block_card(who, card["card_id"], "stolen", reissue=True)
    assert again["new_card_id"] == blocked["new_card_id"]  # repeated: no second reissue
    with pytest.raises(errors.CardBlocked):
        await bank.soap.unlock_card(who, card["card_id"])
    cards = await bank.rest.cards(who)
    assert blocked["new_card_id"] in {c["card_id"] for c in cards}


async def test_soap_errors_are_the_same_typed_errors(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    with pytest.raises(errors.NotFound):
        await bank.soap.get_card_status(who, "card_doesnotexist00")
    with pytest.raises(errors.LoginRequired):
        await bank.soap.get_card_status("test:nobody-" + uuid.uuid4().hex[:8], card["card_id"])
    with pytest.raises(errors.InvalidRequest):
        await bank.soap.block_card(who, card["card_id"], "bored")
    wrong = Bank(settings_for(corebank, soap_password="wrong"))
    try:
        with pytest.raises(errors.Unauthorized):
            await wrong.soap.list_providers()
    finally:
        await wrong.close()


async def test_providers_debt_and_bill_payment(bank, corebank):
    providers = await bank.soap.list_providers()
    assert {p["category"] for p in providers} >= {"mobile", "utilities"}
    assert all(isinstance(p["min_amount"], Decimal) for p in providers)
    mobile = await bank.soap.list_providers("mobile")
    assert mobile and all(p["category"] == "mobile" for p in mobile)

    by_id = {p["provider_id"]: p for p in providers}
    with_debt, no_debt = by_id["yasno"], by_id["kyivstar"]
    assert with_debt["shows_debt"] and not no_debt["shows_debt"]
    account = _valid_account(with_debt)
    debt = await bank.soap.get_debt(with_debt["provider_id"], account)
    assert isinstance(debt["amount"], Decimal) and debt["currency"] == "UAH"
    with pytest.raises(errors.NotFound):
        await bank.soap.get_debt(no_debt["provider_id"], _valid_account(no_debt))
    with pytest.raises(errors.InvalidRequest):
        await bank.soap.get_debt(with_debt["provider_id"], "nonsense")

    who = await login(bank, corebank, ANNA)
    key = f"bill-{uuid.uuid4()}"
    paid = await bank.soap.pay_bill(
        who, with_debt["provider_id"], account, Decimal("12.34"), idempotency_key=key
    )
    assert paid["status"] == "completed" and paid["amount"] == Decimal("12.34")
    assert isinstance(paid["balance_after"], Decimal) and paid["receipt_no"]
    again = await bank.soap.pay_bill(
        who, with_debt["provider_id"], account, Decimal("12.34"), idempotency_key=key
    )
    assert again["payment_id"] == paid["payment_id"]  # a doubled message pays once
    with pytest.raises(errors.IdempotencyConflict):
        await bank.soap.pay_bill(
            who, with_debt["provider_id"], account, Decimal("99.00"), idempotency_key=key
        )
    with pytest.raises(errors.InvalidAmount):
        await bank.soap.pay_bill(who, with_debt["provider_id"], account, Decimal("0"))


async def test_paying_with_a_locked_card_is_card_frozen(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    await bank.soap.lock_card(who, card["card_id"])
    with pytest.raises(errors.CardBlocked) as info:
        await bank.soap.pay_bill(
            who, "yasno", "1234567890", Decimal("5.00"), card_id=card["card_id"]
        )
    assert info.value.frozen and "Unlock it" in errors.user_message(info.value)


async def test_soap_5xx_retried_only_for_safe_operations(bank, corebank, faults):
    faults.set_faults(error_rate=1.0, paths=["/soap/legacy"])
    with pytest.raises(errors.BankUnavailable):
        await bank.soap.list_providers()
    assert bank.soap.attempts["ListProviders"] == 2


def _valid_account(provider: dict) -> str:
    """A sandbox account number that passes the provider's own rules."""
    return {"yasno": "1234567890", "kyivstar": "+380671234567"}[provider["provider_id"]]
