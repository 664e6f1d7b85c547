"""The REST transport against the real sandbox: one OAuth2 token shared by every call, refreshed
before expiry or when refused, and our own refused credentials as a typed error."""

from __future__ import annotations

import asyncio

import pytest

from bankclient import Bank, errors

from .conftest import OTHER_BANK_CARD, settings_for


async def test_one_token_for_many_calls_and_one_fetch_under_concurrency(bank):
    await asyncio.gather(*(bank.cards.tariffs() for _ in range(10)))
    for _ in range(5):
        await bank.vault.tokenize_card(OTHER_BANK_CARD)
    assert bank.transport.rest.tokens.fetch_count == 1


async def test_token_is_refetched_when_it_nears_expiry(bank):
    await bank.cards.tariffs()
    bank.transport.rest.tokens._expires_at = 0.0  # what the clock does 30 s before the token's exp
    await bank.cards.tariffs()
    await bank.cards.tariffs()
    assert bank.transport.rest.tokens.fetch_count == 2


async def test_refused_token_is_refreshed_once_and_the_call_succeeds(bank):
    rest = bank.transport.rest
    await bank.cards.tariffs()
    assert rest.tokens.fetch_count == 1
    # A token the bank no longer accepts (revoked / rotated keys): the cache still thinks it is
    # fresh, so only the 401 can tell.
    rest.tokens._token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.forged"
    tariffs = await bank.cards.tariffs()
    assert tariffs.tariffs
    assert rest.tokens.fetch_count == 2
    assert rest.attempts["GET /api/v1/tariffs"] == 3  # 1 + (refused + resent)


async def test_wrong_client_secret_is_unauthorized(corebank):
    b = Bank(settings_for(corebank, client_secret="wrong"))
    try:
        with pytest.raises(errors.Unauthorized):
            await b.cards.tariffs()
    finally:
        await b.close()


async def test_only_the_clients_in_use_are_created(bank):
    await bank.vault.tokenize_card(OTHER_BANK_CARD)
    assert bank.transport._rest is not None and bank.transport._soap is None
