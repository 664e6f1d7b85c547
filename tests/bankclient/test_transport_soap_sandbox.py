"""The legacy SOAP transport against the sandbox's /soap/legacy: our credentials refused is a
typed error, and a failing legacy system is retried only for operations safe to repeat."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankclient import Bank, errors

from .conftest import ANNA, login, new_key, settings_for


async def test_wrong_soap_password_is_unauthorized(corebank):
    wrong = Bank(settings_for(corebank, soap_password="wrong"))
    try:
        with pytest.raises(errors.Unauthorized):
            await wrong.bills.providers()
    finally:
        await wrong.close()


async def test_soap_5xx_retried_only_for_safe_operations(bank, corebank, faults):
    faults.set_faults(error_rate=1.0, paths=["/soap/legacy"])
    with pytest.raises(errors.BankUnavailable):
        await bank.bills.providers()
    assert bank.transport.soap.attempts["ListProviders"] == 2


async def test_keyed_bill_payment_is_retried_and_pays_once(bank, corebank, faults):
    who = await login(bank, corebank, ANNA)
    key = new_key()
    faults.set_faults(error_rate=1.0, paths=["/soap/legacy"])
    with pytest.raises(errors.BankUnavailable):
        await bank.bills.pay(
            who, "yasno", "1234567890", Decimal("3.00"), idempotency_key=key
        )
    assert bank.transport.soap.attempts["PayBill"] == 2  # keyed, so safe to repeat
    faults.clear_faults()
    paid = await bank.bills.pay(
        who, "yasno", "1234567890", Decimal("3.00"), idempotency_key=key
    )
    again = await bank.bills.pay(
        who, "yasno", "1234567890", Decimal("3.00"), idempotency_key=key
    )
    assert paid.status == "completed" and again.payment_id == paid.payment_id
