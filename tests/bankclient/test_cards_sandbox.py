"""Cards against the sandbox: tariffs, issuing (keyed), upgrade, plastic, secure links, and the
card status operations the legacy system serves (lock, unlock, block and reissue)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from bankclient import (
    BlockedCard,
    Card,
    CardStatus,
    DeliveryAddress,
    PlasticOrder,
    SecureLink,
    Tariffs,
    errors,
    idempotency_key,
)

from .conftest import kyc_application, login, new_key, new_phone

KHRESHCHATYK = DeliveryAddress(street="Khreshchatyk 1", city="Kyiv")


async def _customer_with_card(bank, corebank, name: str = "Soap Tester"):
    who = await login(bank, corebank, new_phone())
    card = await bank.cards.issue(who, "basic", name, idempotency_key=new_key())
    return who, card


async def test_cards_kyc_topups_and_requests(bank, corebank):
    who = await login(bank, corebank, new_phone())
    card = await bank.cards.issue(who, "basic", "Test Person", idempotency_key="k-" + who)
    same = await bank.cards.issue(who, "basic", "Test Person", idempotency_key="k-" + who)
    assert same.card_id == card.card_id
    with pytest.raises(errors.AlreadyHasCard):
        await bank.cards.issue(who, "basic", "Test Person", idempotency_key=new_key())
    with pytest.raises(errors.KycRequired):
        await bank.cards.issue(who, "tariff", "Test Person", idempotency_key=new_key())
    with pytest.raises(errors.TariffRequired):
        await bank.cards.order_plastic(who, card.card_id, KHRESHCHATYK)
    with pytest.raises(errors.KycRejected) as info:
        await bank.customers.submit_kyc(
            who,
            kyc_application(
                date_of_birth="2015-01-01",
                passport_number="AB123456",
                passport_issue_date="2020-01-01",
                passport_authority="1234",
            ),
        )
    assert info.value.reason == "underage"
    link = await bank.cards.secure_link(who, "set_pin", card.card_id)
    assert "/secure/" in link.url
    assert await bank.cards.plastic_orders(who) == ()
    topup = await bank.payments.create_topup(who, Decimal("100"), idempotency_key=new_key())
    assert "/pay/topups/" in topup.payment_url
    request = await bank.payments.create_payment_request(
        who, Decimal("50"), note="pizza", idempotency_key=new_key()
    )
    assert "/pay/requests/" in request.url
    tariffs = await bank.cards.tariffs()
    assert {t.code for t in tariffs.tariffs} >= {"basic", "tariff"}


async def test_tariffs_are_typed(bank):
    tariffs = await bank.cards.tariffs()
    assert isinstance(tariffs, Tariffs)
    basic, tariff = tariffs.get("basic"), tariffs.get("tariff")
    assert basic.cashback is None and not basic.plastic and basic.conditions
    assert tariff.plastic and tariff.credit_limit > 0 and tariff.monthly_fee == Decimal("0.00")
    assert tariff.cashback.min_percent == Decimal("2")
    assert tariff.cashback.max_percent == Decimal("33")
    assert tariffs.plastic_delivery.delivery_business_days > 0
    assert tariffs.transfers.per_transfer_limit > 0


async def test_issue_is_typed_and_keyed(bank, corebank):
    who = await login(bank, corebank, new_phone())
    key = idempotency_key("card", who, "basic", "msg-1")
    card = await bank.cards.issue(who, "basic", "Maria Koval", idempotency_key=key)
    assert isinstance(card, Card) and card.active and card.tariff == "basic"
    assert card.masked.startswith("••••") and card.card_token.startswith("ctok_")
    assert card.balance == Decimal("0.00") and card.currency == "UAH" and card.cashback is None
    assert await bank.cards.issue(who, "basic", "Maria Koval", idempotency_key=key) == card
    with pytest.raises(errors.IdempotencyConflict):
        await bank.cards.issue(who, "basic", "Other Name", idempotency_key=key)
    owned = await bank.cards.owned(who)
    assert [c.card_id for c in owned] == [card.card_id]
    assert owned[0].holder_name and owned[0].tariff_name is None  # the listing is shorter
    assert bank.transport.rest.attempts["POST /api/v1/me/cards"] == 3  # one per call, no retry
    with pytest.raises(errors.InvalidRequest):
        await bank.cards.issue(who, "platinum", "Maria Koval", idempotency_key=new_key())


async def test_upgrade_to_tariff_then_plastic(bank, corebank):
    who, card = await _customer_with_card(bank, corebank, "Test Person")
    with pytest.raises(errors.KycRequired):
        await bank.cards.upgrade(who, card.card_id)
    await bank.customers.submit_kyc(who, kyc_application())
    upgraded = await bank.cards.upgrade(who, card.card_id)
    assert upgraded.card_id == card.card_id and upgraded.tariff == "tariff"
    assert upgraded.credit_limit > 0 and upgraded.cashback.categories
    assert (await bank.cards.upgrade(who, card.card_id)).tariff == "tariff"  # harmless repeat

    order = await bank.cards.order_plastic(
        who, card.card_id, DeliveryAddress("Khreshchatyk 22, apt 5", "Kyiv", "01001")
    )
    assert isinstance(order, PlasticOrder) and order.status == "ordered"
    assert order.address == DeliveryAddress("Khreshchatyk 22, apt 5", "Kyiv", "01001")
    assert order.price == Decimal("0.00") and order.estimated_delivery
    assert (await bank.cards.order_plastic(who, card.card_id, KHRESHCHATYK)) == order
    assert await bank.cards.plastic_orders(who) == (order,)
    with pytest.raises(errors.InvalidRequest):
        await bank.cards.order_plastic(who, card.card_id, DeliveryAddress("1", "2"))


async def test_secure_links(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    link = await bank.cards.secure_link(who, "card_details", card.card_id)
    assert isinstance(link, SecureLink) and link.expires_in > 0 and link.card_id == card.card_id
    password = await bank.cards.secure_link(who, "set_password")
    assert password.card_id is None and password.url != link.url
    with pytest.raises(errors.InvalidRequest):
        await bank.cards.secure_link(who, "show_cvv", card.card_id)


async def test_card_status_lock_unlock_block_reissue(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    status = await bank.cards.status(who, card.card_id)
    assert isinstance(status, CardStatus)
    assert status.status == "active" and status.masked == card.masked
    locked = await bank.cards.lock(who, card.card_id)
    assert locked.status == "frozen" and locked.frozen
    assert (await bank.cards.lock(who, card.card_token)).status == "frozen"  # by token
    assert (await bank.cards.unlock(who, card.card_id)).status == "active"

    blocked = await bank.cards.block(who, card.card_id, "stolen", reissue=True)
    assert isinstance(blocked, BlockedCard)
    assert blocked.status == "blocked" and blocked.status_reason == "stolen"
    assert blocked.replacement.card_id and blocked.replacement.masked.startswith("••••")
    again = await bank.cards.block(who, card.card_id, "stolen", reissue=True)
    assert again.replacement.card_id == blocked.replacement.card_id  # repeated: no second reissue
    with pytest.raises(errors.CardBlocked):
        await bank.cards.unlock(who, card.card_id)
    cards = await bank.cards.owned(who)
    assert blocked.replacement.card_id in {c.card_id for c in cards}


async def test_block_without_reissue(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    blocked = await bank.cards.block(who, card.card_id, "lost", reissue=False)
    assert blocked.blocked and blocked.replacement is None
    assert [c.status for c in await bank.cards.owned(who)] == ["blocked"]


async def test_soap_errors_are_the_same_typed_errors(bank, corebank):
    who, card = await _customer_with_card(bank, corebank)
    with pytest.raises(errors.NotFound):
        await bank.cards.status(who, "card_doesnotexist00")
    with pytest.raises(errors.LoginRequired):
        await bank.cards.status("test:nobody-" + uuid.uuid4().hex[:8], card.card_id)
    with pytest.raises(errors.InvalidRequest):
        await bank.cards.block(who, card.card_id, "bored")
