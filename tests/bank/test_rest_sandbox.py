"""The REST client against the real sandbox: auth, shapes, and every typed error."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest

from actions.bank import Bank, errors
from actions.bank.money import validate_amount

from .conftest import (
    ANNA,
    IRYNA_BLOCKED_CARD,
    OLENA_FROZEN_CARD,
    OTHER_BANK_CARD,
    TARAS,
    login,
    new_identity,
    new_phone,
    settings_for,
)


async def test_one_token_for_many_calls_and_one_fetch_under_concurrency(bank):
    await asyncio.gather(*(bank.rest.tariffs() for _ in range(10)))
    for _ in range(5):
        await bank.rest.tokenize_card(OTHER_BANK_CARD)
    assert bank.rest.tokens.fetch_count == 1


async def test_token_is_refetched_when_it_nears_expiry(bank):
    await bank.rest.tariffs()
    bank.rest.tokens._expires_at = 0.0  # what the clock does 30 s before the token's exp
    await bank.rest.tariffs()
    await bank.rest.tariffs()
    assert bank.rest.tokens.fetch_count == 2


async def test_refused_token_is_refreshed_once_and_the_call_succeeds(bank):
    await bank.rest.tariffs()
    assert bank.rest.tokens.fetch_count == 1
    # A token the bank no longer accepts (revoked / rotated keys): the cache still thinks it is
    # fresh, so only the 401 can tell.
    bank.rest.tokens._token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.forged"
    tariffs = await bank.rest.tariffs()
    assert tariffs["tariffs"]
    assert bank.rest.tokens.fetch_count == 2
    assert bank.rest.attempts["GET /api/v1/tariffs"] == 3  # 1 + (refused + resent)


async def test_wrong_client_secret_is_unauthorized(corebank):
    b = Bank(settings_for(corebank, client_secret="wrong"))
    try:
        with pytest.raises(errors.Unauthorized):
            await b.rest.tariffs()
    finally:
        await b.close()


async def test_vault_tokenizes_and_looks_up(bank):
    card = await bank.rest.tokenize_card("4111 1111-1111 1111")
    assert card["card_token"].startswith("ctok_") and card["masked"] == "•••• 1111"
    assert card["issuer"] == "other"
    again = await bank.rest.card_lookup(card["card_token"])
    assert again["card_token"] == card["card_token"]
    with pytest.raises(errors.InvalidCard):
        await bank.rest.tokenize_card("4111 1111 1111 1112")
    with pytest.raises(errors.NotFound):
        await bank.rest.card_lookup("ctok_AAAAAAAAAAAAAAAA")
    secret = await bank.rest.store_secret("otp", "123456")
    assert secret["secret_ref"].startswith("otok_")


async def test_login_session_views_and_logout(bank, corebank):
    who = new_identity()
    with pytest.raises(errors.LoginRequired):
        await bank.rest.me(who)
    challenge = await bank.rest.start_login(ANNA, who)
    assert "•" in challenge["masked_phone"]
    # The code can go through the vault so the assistant never holds it.
    ref = await bank.rest.store_secret("otp", corebank.sms_code(ANNA))
    verified = await bank.rest.verify_otp(challenge["challenge_id"], secret_ref=ref["secret_ref"])
    assert verified["first_name"] == "Anna"
    assert (await bank.rest.session(who))
    me = await bank.rest.me(who)
    assert me["kyc_level"] == "verified"
    accounts = await bank.rest.accounts(who)
    uah = next(a for a in accounts if a["currency"] == "UAH")
    assert isinstance(uah["balance"], Decimal) and isinstance(uah["available"], Decimal)
    cards = await bank.rest.cards(who)
    assert cards and cards[0]["masked"].startswith("••••")
    history = await bank.rest.transactions(who, limit=3)
    assert len(history) <= 3 and all(isinstance(t["amount"], Decimal) for t in history)
    details = await bank.rest.bank_details(who)
    assert details["iban"].startswith("UA")
    await bank.rest.logout(who)
    with pytest.raises(errors.LoginRequired):
        await bank.rest.accounts(who)


async def test_wrong_codes_then_lockout(bank, corebank):
    phone, who = new_phone(), new_identity()
    challenge = await bank.rest.start_login(phone, who)
    real = corebank.sms_code(phone)
    wrong = "000000" if real != "000000" else "111111"
    with pytest.raises(errors.OtpInvalid) as info:
        await bank.rest.verify_otp(challenge["challenge_id"], code=wrong)
    assert info.value.attempts_left == 2
    assert "2 attempts" in errors.user_message(info.value)
    locked = None
    for _ in range(3):
        try:
            await bank.rest.verify_otp(challenge["challenge_id"], code=wrong)
        except errors.OtpLocked as err:
            locked = err
            break
        except errors.OtpInvalid:
            continue
    assert locked is not None and locked.retry_after and locked.retry_after > 0
    with pytest.raises(errors.OtpLocked):
        await bank.rest.start_login(phone, who)


async def test_transfer_errors_are_typed(bank, corebank):
    who = await login(bank, corebank, ANNA)
    taras = (await bank.rest.tokenize_card("4149490000000023"))["card_token"]
    own = (await bank.rest.cards(who))[0]["card_token"]
    with pytest.raises(errors.OwnCard):
        await bank.rest.quote_transfer(who, own, Decimal("10"))
    blocked = (await bank.rest.tokenize_card(IRYNA_BLOCKED_CARD))["card_token"]
    with pytest.raises(errors.CardBlocked):
        await bank.rest.quote_transfer(who, blocked, Decimal("10"))
    with pytest.raises(errors.InvalidAmount):
        await bank.rest.quote_transfer(who, taras, Decimal("0"))
    with pytest.raises(errors.LimitExceeded):
        await bank.rest.quote_transfer(who, taras, Decimal("30000.01"))
    unknown_own = (await bank.rest.tokenize_card("4149490000000999"))["card_token"]
    with pytest.raises(errors.NotFound):
        await bank.rest.quote_transfer(who, unknown_own, Decimal("10"))

    poor = await login(bank, corebank, TARAS)
    other = (await bank.rest.tokenize_card(OTHER_BANK_CARD))["card_token"]
    with pytest.raises(errors.InsufficientFunds):
        await bank.rest.quote_transfer(poor, other, Decimal("5000"))


async def test_locked_recipient_card_cannot_receive(bank, corebank):
    who = await login(bank, corebank, ANNA)
    frozen = (await bank.rest.tokenize_card(OLENA_FROZEN_CARD))["card_token"]
    with pytest.raises(errors.CardBlocked) as info:
        await bank.rest.quote_transfer(who, frozen, Decimal("1"))
    assert info.value.details.get("card_status") == "frozen"


async def test_transfer_with_step_up_and_idempotency(bank, corebank):
    who = await login(bank, corebank, ANNA)
    taras = (await bank.rest.tokenize_card("4149490000000023"))["card_token"]
    small = await bank.rest.quote_transfer(who, taras, validate_amount("1.50"))
    assert small["route"] == "own" and small["total"] == Decimal("1.50")
    key = f"conv-{uuid.uuid4()}"
    first = await bank.rest.execute_transfer(who, small["quote_id"], idempotency_key=key)
    again = await bank.rest.execute_transfer(who, small["quote_id"], idempotency_key=key)
    assert again["transfer_id"] == first["transfer_id"]
    assert isinstance(first["balance_after"], Decimal)

    other = await bank.rest.quote_transfer(who, taras, Decimal("2"))
    with pytest.raises(errors.IdempotencyConflict):
        await bank.rest.execute_transfer(who, other["quote_id"], idempotency_key=key)

    big = await bank.rest.quote_transfer(who, taras, Decimal("600"))
    assert big["requires_step_up"] is True
    with pytest.raises(errors.OtpRequired):
        await bank.rest.execute_transfer(who, big["quote_id"])
    step = await bank.rest.start_step_up(who, "transfer", big["quote_id"])
    token = (
        await bank.rest.verify_otp(step["challenge_id"], code=corebank.sms_code(ANNA))
    )["step_up_token"]
    done = await bank.rest.execute_transfer(who, big["quote_id"], step_up_token=token)
    assert done["status"] == "completed" and done["amount"] == Decimal("600.00")


async def test_cards_kyc_topups_and_requests(bank, corebank):
    who = await login(bank, corebank, new_phone())
    card = await bank.rest.issue_card(who, "basic", "Test Person", idempotency_key="k-" + who)
    same = await bank.rest.issue_card(who, "basic", "Test Person", idempotency_key="k-" + who)
    assert same["card_id"] == card["card_id"]
    with pytest.raises(errors.AlreadyHasCard):
        await bank.rest.issue_card(who, "basic", "Test Person")
    with pytest.raises(errors.KycRequired):
        await bank.rest.issue_card(who, "tariff", "Test Person")
    with pytest.raises(errors.TariffRequired):
        await bank.rest.order_plastic(
            who, card["card_id"], {"street": "Khreshchatyk 1", "city": "Kyiv"}
        )
    with pytest.raises(errors.KycRejected) as info:
        await bank.rest.submit_kyc(
            who,
            {
                "full_name": "Test Person",
                "date_of_birth": "2015-01-01",
                "address": "Khreshchatyk 1, Kyiv",
                "passport_number": "AB123456",
                "passport_issue_date": "2020-01-01",
                "passport_authority": "1234",
                "consent": True,
            },
        )
    assert info.value.reason == "underage"
    link = await bank.rest.secure_link(who, "set_pin", card["card_id"])
    assert "/secure/" in link["url"]
    assert await bank.rest.plastic_orders(who) == []
    topup = await bank.rest.create_topup(who, Decimal("100"))
    assert "/pay/topups/" in topup["payment_url"]
    request = await bank.rest.create_payment_request(who, Decimal("50"), note="pizza")
    assert "/pay/requests/" in request["url"]
    tariffs = await bank.rest.tariffs()
    assert {t["code"] for t in tariffs["tariffs"]} >= {"basic", "tariff"}
