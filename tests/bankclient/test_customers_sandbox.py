"""Customers against the sandbox: login by phone + OTP, sessions, step-up, profile, KYC."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankclient import (
    Account,
    KycResult,
    LoginResult,
    OtpChallenge,
    Profile,
    Session,
    StepUpToken,
    errors,
)

from .conftest import ANNA, TARAS_CARD, kyc_application, login, new_identity, new_phone


async def test_login_session_views_and_logout(bank, corebank):
    who = new_identity()
    with pytest.raises(errors.LoginRequired):
        await bank.customers.profile(who)
    challenge = await bank.customers.start_login(ANNA, who)
    assert isinstance(challenge, OtpChallenge) and "•" in challenge.masked_phone
    # The code can go through the vault so the assistant never holds it.
    ref = await bank.vault.store_secret("otp", corebank.sms_code(ANNA))
    verified = await bank.customers.verify_login(challenge.challenge_id, secret_ref=ref.secret_ref)
    assert isinstance(verified, LoginResult) and verified.first_name == "Anna"
    assert not verified.is_new
    session = await bank.customers.session(who)
    assert isinstance(session, Session) and session.customer_id == verified.customer_id
    me = await bank.customers.profile(who)
    assert isinstance(me, Profile) and me.kyc_level == "verified"
    accounts = await bank.accounts.balances(who)
    uah = next(a for a in accounts if a.currency == "UAH")
    assert isinstance(uah, Account)
    assert isinstance(uah.balance, Decimal) and isinstance(uah.available, Decimal)
    cards = await bank.cards.owned(who)
    assert cards and cards[0].masked.startswith("••••")
    history = await bank.accounts.history(who, limit=3)
    assert len(history) <= 3 and all(isinstance(t.amount, Decimal) for t in history)
    details = await bank.accounts.bank_details(who)
    assert details.iban.startswith("UA")
    assert await bank.customers.logout(who) is True
    with pytest.raises(errors.LoginRequired):
        await bank.accounts.balances(who)
    assert await bank.customers.logout(who) is False  # nothing left to end


async def test_wrong_codes_then_lockout(bank, corebank):
    phone, who = new_phone(), new_identity()
    challenge = await bank.customers.start_login(phone, who)
    real = corebank.sms_code(phone)
    wrong = "000000" if real != "000000" else "111111"
    with pytest.raises(errors.OtpInvalid) as info:
        await bank.customers.verify_login(challenge.challenge_id, code=wrong)
    assert info.value.attempts_left == 2
    assert "2 attempts" in errors.user_message(info.value)
    locked = None
    for _ in range(3):
        try:
            await bank.customers.verify_login(challenge.challenge_id, code=wrong)
        except errors.OtpLocked as err:
            locked = err
            break
        except errors.OtpInvalid:
            continue
    assert locked is not None and locked.retry_after and locked.retry_after > 0
    with pytest.raises(errors.OtpLocked):
        await bank.customers.start_login(phone, who)


async def test_newcomer_login_is_a_prospect(bank, corebank):
    phone, who = new_phone(), new_identity()
    challenge = await bank.customers.start_login(phone, who)
    verified = await bank.customers.verify_login(
        challenge.challenge_id, code=corebank.sms_code(phone)
    )
    assert verified.is_new and verified.kyc_level == "none" and verified.first_name is None
    assert (await bank.customers.profile(who)).kyc_level == "none"


async def test_verify_needs_exactly_one_of_code_and_reference(bank):
    with pytest.raises(ValueError):
        await bank.customers.verify_login("otp_x")
    with pytest.raises(ValueError):
        await bank.customers.verify_step_up("otp_x", code="1", secret_ref="otok_x")


async def test_step_up_gives_a_token_for_its_operation(bank, corebank):
    who = await login(bank, corebank, ANNA)
    taras = await bank.vault.tokenize_card(TARAS_CARD)
    quote = await bank.transfers.quote(who, taras.card_token, Decimal("600"))
    challenge = await bank.customers.start_step_up(who, "transfer", quote.quote_id)
    assert isinstance(challenge, OtpChallenge)
    ref = await bank.vault.store_secret("otp", corebank.sms_code(ANNA))
    step = await bank.customers.verify_step_up(challenge.challenge_id, secret_ref=ref.secret_ref)
    assert isinstance(step, StepUpToken) and step.step_up_token
    assert step.purpose == "transfer" and step.reference == quote.quote_id
    with pytest.raises(errors.LoginRequired):
        await bank.customers.start_step_up(new_identity(), "transfer", quote.quote_id)


async def test_kyc_verifies_with_a_passport_reference(bank, corebank):
    who = await login(bank, corebank, new_phone())
    number = kyc_application().passport_number
    passport = await bank.vault.store_secret("passport", number)
    result = await bank.customers.submit_kyc(
        who, kyc_application(passport_number=None, passport_ref=passport.secret_ref)
    )
    assert isinstance(result, KycResult) and result.kyc_level == "verified"
    assert isinstance(result.credit_limit, Decimal) and result.credit_limit > 0
    assert result.document.masked and number[2:] not in result.document.masked
    assert result.cashback.min_percent == Decimal("2") and result.cashback.categories
    profile = await bank.customers.profile(who)
    assert profile.kyc_level == "verified" and profile.first_name == "Test"


async def test_kyc_refusals_are_typed(bank, corebank):
    who = await login(bank, corebank, new_phone())
    with pytest.raises(errors.KycRejected) as info:
        await bank.customers.submit_kyc(who, kyc_application(passport_number="AA000000"))
    assert info.value.reason == "blocklisted"
    with pytest.raises(errors.InvalidRequest):
        await bank.customers.submit_kyc(who, kyc_application(consent=False))
