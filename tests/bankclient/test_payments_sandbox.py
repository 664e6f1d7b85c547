"""Payments against the sandbox: top-ups and payment requests (keyed, typed, readable back),
and bill payments through the legacy system (catalog, debts, keyed payment)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from bankclient import BillPayment, Debt, PaymentRequest, Provider, Topup, errors

from .conftest import ANNA, login, new_key, new_phone


async def _customer_with_card(bank, corebank):
    who = await login(bank, corebank, new_phone())
    card = await bank.cards.issue(who, "basic", "Soap Tester", idempotency_key=new_key())
    return who, card


async def test_topup_is_keyed_typed_and_readable(bank, corebank):
    who = await login(bank, corebank, ANNA)
    key = new_key()
    topup = await bank.payments.create_topup(who, Decimal("100"), idempotency_key=key)
    assert isinstance(topup, Topup) and topup.status == "pending"
    assert topup.amount == Decimal("100.00") and topup.currency == "UAH"
    assert "/pay/topups/" in topup.payment_url and topup.expires_in > 0
    again = await bank.payments.create_topup(who, Decimal("100"), idempotency_key=key)
    assert again.topup_id == topup.topup_id  # a doubled message: the same page
    with pytest.raises(errors.IdempotencyConflict):
        await bank.payments.create_topup(who, Decimal("200"), idempotency_key=key)
    read = await bank.payments.topup(who, topup.topup_id)
    assert read.topup_id == topup.topup_id and read.status == "pending"
    other = await login(bank, corebank, new_phone())
    with pytest.raises(errors.NotFound):
        await bank.payments.topup(other, topup.topup_id)
    with pytest.raises(errors.InvalidAmount):
        await bank.payments.create_topup(who, Decimal("0"), idempotency_key=new_key())


async def test_topup_onto_a_chosen_card(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    topup = await bank.payments.create_topup(
        who, Decimal("25.50"), card_id=card.card_id, idempotency_key=new_key()
    )
    assert topup.amount == Decimal("25.50")


async def test_payment_request_now_carries_its_key(bank, corebank):
    who = await login(bank, corebank, ANNA)
    key = new_key()
    request = await bank.payments.create_payment_request(
        who, Decimal("50"), note="pizza", idempotency_key=key
    )
    assert isinstance(request, PaymentRequest) and request.status == "open"
    assert request.note == "pizza" and request.amount == Decimal("50.00")
    again = await bank.payments.create_payment_request(
        who, Decimal("50"), note="pizza", idempotency_key=key
    )
    assert again.request_id == request.request_id  # a doubled message: one link
    read = await bank.payments.payment_request(who, request.request_id)
    assert (read.request_id, read.status, read.note, read.url) == (
        request.request_id, "open", "pizza", request.url
    )
    with pytest.raises(errors.NotFound):
        await bank.payments.payment_request(who, "prq_doesnotexist")


async def test_providers_debt_and_bill_payment(bank, corebank):
    providers = await bank.bills.providers()
    assert all(isinstance(p, Provider) for p in providers)
    assert {p.category for p in providers} >= {"mobile", "utilities"}
    assert all(isinstance(p.min_amount, Decimal) for p in providers)
    mobile = await bank.bills.providers("mobile")
    assert mobile and all(p.category == "mobile" for p in mobile)

    by_id = {p.provider_id: p for p in providers}
    with_debt, no_debt = by_id["yasno"], by_id["kyivstar"]
    assert with_debt.shows_debt and not no_debt.shows_debt
    account = _valid_account(with_debt)
    debt = await bank.bills.debt(with_debt.provider_id, account)
    assert isinstance(debt, Debt)
    assert isinstance(debt.amount, Decimal) and debt.currency == "UAH"
    with pytest.raises(errors.NotFound):
        await bank.bills.debt(no_debt.provider_id, _valid_account(no_debt))
    with pytest.raises(errors.InvalidRequest):
        await bank.bills.debt(with_debt.provider_id, "nonsense")

    who = await login(bank, corebank, ANNA)
    key = f"bill-{uuid.uuid4()}"
    paid = await bank.bills.pay(
        who, with_debt.provider_id, account, Decimal("12.34"), idempotency_key=key
    )
    assert isinstance(paid, BillPayment)
    assert paid.status == "completed" and paid.amount == Decimal("12.34")
    assert isinstance(paid.balance_after, Decimal) and paid.receipt_no
    again = await bank.bills.pay(
        who, with_debt.provider_id, account, Decimal("12.34"), idempotency_key=key
    )
    assert again.payment_id == paid.payment_id  # a doubled message pays once
    with pytest.raises(errors.IdempotencyConflict):
        await bank.bills.pay(
            who, with_debt.provider_id, account, Decimal("99.00"), idempotency_key=key
        )
    with pytest.raises(errors.InvalidAmount):
        await bank.bills.pay(
            who, with_debt.provider_id, account, Decimal("0"), idempotency_key=new_key()
        )


async def test_paying_with_a_locked_card_is_card_frozen(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    await bank.cards.lock(who, card.card_id)
    with pytest.raises(errors.CardBlocked) as info:
        await bank.bills.pay(
            who,
            "yasno",
            "1234567890",
            Decimal("5.00"),
            card_id=card.card_id,
            idempotency_key=new_key(),
        )
    assert info.value.frozen and "unfreeze" in errors.user_message(info.value)


def _valid_account(provider: Provider) -> str:
    """A sandbox account number that passes the provider's own rules."""
    return {"yasno": "1234567890", "kyivstar": "+380671234567"}[provider.provider_id]
