"""Every bill-payment SOAP operation through the bank client against the running sandbox: the
declarative request/response mapping (typed results, Decimal money), faults as typed errors,
step-up, the lookup by key, history and templates."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from bankclient import (
    BillPayment,
    BillQuote,
    BillTemplate,
    Debt,
    Provider,
    ProviderField,
    errors,
)
from tests.bankclient.conftest import ANNA, TARAS, login, new_key


async def test_list_providers_maps_fields_aliases_limits_and_fees(bank):
    providers = await bank.bills.providers()
    assert all(isinstance(p, Provider) for p in providers)
    by_id = {p.provider_id: p for p in providers}
    kyivstar = by_id["kyivstar"]
    field = kyivstar.field("account")
    assert isinstance(field, ProviderField) and field.label == "Phone number"
    assert field.normalise("067 123 45 67") == "0671234567"
    assert field.normalise("050 111 22 33") is None  # a Vodafone number
    assert "kievstar" in kyivstar.names
    assert by_id["viasat"].fee(Decimal("100")) == Decimal("5.00")
    assert by_id["datagroup"].fee(Decimal("200")) == Decimal("3.00")
    assert by_id["megogo"].min_amount == Decimal("49.00")
    assert by_id["vodokanal"].field("meter").required is False
    assert by_id["teplo"].field("account").check == "luhn"
    for category in ("mobile", "utilities", "tv", "internet", "transport"):
        assert len(await bank.bills.providers(category)) >= 3
    with pytest.raises(errors.InvalidRequest):
        await bank.bills.providers("groceries")


async def test_debt_and_quote(bank):
    debt = await bank.bills.debt("yasno", "25 0012 3456")
    assert isinstance(debt, Debt) and isinstance(debt.amount, Decimal)
    assert debt.account == "2500123456" and debt.period
    with pytest.raises(errors.NotFound):
        await bank.bills.debt("yasno", "2500120000")  # the provider has no such account
    with pytest.raises(errors.NotFound):
        await bank.bills.debt("kyivstar", "0671234567")  # reports no debts
    with pytest.raises(errors.InvalidRequest):
        await bank.bills.debt("yasno", "12")
    quote = await bank.bills.quote("viasat", "123456789015", Decimal("100"))
    assert isinstance(quote, BillQuote)
    assert (quote.fee, quote.total, quote.requires_step_up) == (
        Decimal("5.00"), Decimal("105.00"), False)
    assert quote.provider_name == "Viasat"
    big = await bank.bills.quote("yasno", "2500123456", Decimal("600"))
    assert big.requires_step_up
    with pytest.raises(errors.InvalidAmount):
        await bank.bills.quote("megogo", "512345678", Decimal("10"))
    with pytest.raises(errors.NotFound):
        await bank.bills.quote("nosuch", "1", Decimal("10"))


async def test_own_phone_and_its_operator(bank, corebank):
    who = await login(bank, corebank, TARAS)
    own = await bank.bills.own_phone(who)
    assert (own.provider_id, own.account) == ("kyivstar", "+380671234567")
    quote = await bank.bills.quote(None, None, Decimal("10"), own_phone_of=who)
    assert quote.provider_id == "kyivstar" and quote.account == "+380671234567"
    with pytest.raises(errors.LoginRequired):
        await bank.bills.own_phone(f"test:{uuid.uuid4().hex[:8]}")


async def test_quote_checks_the_funds_before_any_step_up(bank, corebank):
    """With the customer's identity the quote says "not enough money" (total with the fee vs
    the balance), so the assistant says it before a step-up code is sent; PayBill still
    checks at posting time (tests/corebank/bills/test_bills_soap.py)."""
    who = await login(bank, corebank, TARAS)
    # Other tests in the session move Taras's money: work from what is available now.
    account = next(a for a in await bank.accounts.balances(who) if a.currency == "UAH")
    available = account.available
    assert Decimal("10") < available < Decimal("5000")  # seeded 1,500 UAH
    with pytest.raises(errors.InsufficientFunds) as caught:
        await bank.bills.quote("viasat", "123456789015", available - 4, identity=who)
    assert f"{available + 1:.2f}" in caught.value.message  # the total with the 5.00 fee
    fits = await bank.bills.quote("viasat", "123456789015", available - 5, identity=who)
    assert fits.total == available
    with pytest.raises(errors.InsufficientFunds):  # above the step-up threshold: no code first
        await bank.bills.quote("naftogaz", "4100456789", Decimal("9000"), identity=who)
    with pytest.raises(errors.InsufficientFunds):
        await bank.bills.quote(None, None, Decimal("5000"), own_phone_of=who)
    # Without an identity it is a price quote only (the catalog's fee and limits).
    assert (await bank.bills.quote("naftogaz", "4100456789", Decimal("9000"))).requires_step_up


async def test_pay_with_fee_step_up_lookup_history(bank, corebank):
    who = await login(bank, corebank, ANNA)
    key = new_key()
    with pytest.raises(errors.NotFound):
        await bank.bills.payment_by_key(who, key)  # nothing paid under it yet
    paid = await bank.bills.pay(who, "viasat", "123456789015", Decimal("100"),
                                idempotency_key=key)
    assert isinstance(paid, BillPayment)
    assert (paid.amount, paid.fee, paid.total) == (Decimal("100.00"), Decimal("5.00"),
                                                   Decimal("105.00"))
    assert paid.provider_name == "Viasat" and paid.receipt_no
    found = await bank.bills.payment_by_key(who, key)
    assert found.payment_id == paid.payment_id
    other = await login(bank, corebank, TARAS)
    with pytest.raises(errors.NotFound):
        await bank.bills.payment_by_key(other, key)  # another customer's key

    # above the threshold: a step-up token bound to this payment's key
    big_key = new_key()
    with pytest.raises(errors.OtpRequired):
        await bank.bills.pay(who, "yasno", "2500123456", Decimal("600"),
                             idempotency_key=big_key)
    with pytest.raises(errors.NotFound):
        await bank.bills.payment_by_key(who, big_key)  # the refused attempt left nothing
    total = (await bank.bills.quote("yasno", "2500123456", Decimal("600"))).total
    step = await bank.customers.start_step_up(who, "bill", big_key, amount=str(total),
                                              target="yasno:2500123456")
    token = await bank.customers.verify_step_up(step.challenge_id, code=corebank.sms_code(ANNA))
    big = await bank.bills.pay(who, "yasno", "2500123456", Decimal("600"),
                               step_up_token=token.step_up_token, idempotency_key=big_key)
    assert big.status == "completed"

    history = await bank.bills.history(who, category="tv")
    assert [p.payment_id for p in history][:1] == [paid.payment_id]
    assert history[0].category == "tv" and history[0].fee == Decimal("5.00")
    assert await bank.bills.history(who, provider_id="triolan") == ()
    assert len(await bank.bills.history(who, since="2000-01-01")) >= 2


async def test_templates(bank, corebank):
    who = await login(bank, corebank, ANNA)
    name = f"Home internet {uuid.uuid4().hex[:6]}"
    saved = await bank.bills.save_template(who, name, "viasat", "123456789015", Decimal("250"))
    assert isinstance(saved, BillTemplate) and saved.amount == Decimal("250.00")
    again = await bank.bills.save_template(who, name, "viasat", "123456789015")
    assert again.template_id == saved.template_id and again.amount is None  # replaced
    # A provider that reports what is owed keeps no amount: using the template quotes the debt.
    owed = await bank.bills.save_template(who, f"{name} 2", "triolan", "4567890", Decimal("250"))
    assert owed.amount is None
    await bank.bills.delete_template(who, owed.template_id)
    listed = await bank.bills.templates(who)
    assert saved.template_id in {t.template_id for t in listed}
    await bank.bills.delete_template(who, saved.template_id)
    with pytest.raises(errors.NotFound):
        await bank.bills.delete_template(who, saved.template_id)
    with pytest.raises(errors.InvalidRequest):
        await bank.bills.save_template(who, "bad", "triolan", "12")


async def test_faults_become_typed_errors(bank, corebank, faults):
    faults.set_faults(error_rate=1.0, paths=["/soap/legacy"])
    with pytest.raises(errors.BankUnavailable):
        await bank.bills.quote("viasat", "123456789015", Decimal("100"))
    faults.clear_faults()
    who = await login(bank, corebank, ANNA)
    faults.set_faults(hang=True, paths=["/soap/legacy"])
    with pytest.raises(errors.BankUnavailable):
        await bank.bills.pay(who, "viasat", "123456789015", Decimal("10"),
                             idempotency_key=new_key())
