"""The vault against the sandbox: card tokens and secret references, typed."""

from __future__ import annotations

import dataclasses

import pytest

from bankclient import CardToken, SecretRef, errors, refs

from .conftest import OTHER_BANK_CARD


async def test_tokenize_card_is_typed_and_stable(bank):
    token = await bank.vault.tokenize_card(OTHER_BANK_CARD)
    assert isinstance(token, CardToken) and refs.is_card_ref(token.card_token)
    assert token.masked == "•••• 1111" and token.last4 == "1111"
    assert token.issuer == "other" and not token.own_bank
    again = await bank.vault.tokenize_card("4111 1111 1111 1111")
    assert again == token
    assert await bank.vault.card_lookup(token.card_token) == token
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.masked = "x"  # type: ignore[misc]


async def test_own_bank_card_and_bad_numbers(bank):
    own = await bank.vault.tokenize_card("5168740000000016")
    assert own.own_bank and own.bank_name
    with pytest.raises(errors.InvalidCard):
        await bank.vault.tokenize_card("4111111111111112")  # fails Luhn
    with pytest.raises(errors.NotFound):
        await bank.vault.card_lookup(refs.CARD_PREFIX + "0" * refs.REF_BODY_LENGTH)


@pytest.mark.parametrize("kind", ["otp", "passport", "other"])
async def test_store_secret_gives_a_reference_of_its_kind(bank, kind):
    ref = await bank.vault.store_secret(kind, "AB123456" if kind == "passport" else "123456")
    assert isinstance(ref, SecretRef) and ref.expires_in > 0
    assert ref.secret_ref.startswith(refs.SECRET_PREFIXES[kind])
    assert refs.is_ref(ref.secret_ref)


async def test_vault_tokenizes_and_looks_up(bank):
    card = await bank.vault.tokenize_card("4111 1111-1111 1111")
    assert card.card_token.startswith("ctok_") and card.masked == "•••• 1111"
    assert card.issuer == "other"
    again = await bank.vault.card_lookup(card.card_token)
    assert again.card_token == card.card_token
    with pytest.raises(errors.InvalidCard):
        await bank.vault.tokenize_card("4111 1111 1111 1112")
    with pytest.raises(errors.NotFound):
        await bank.vault.card_lookup("ctok_AAAAAAAAAAAAAAAA")
    secret = await bank.vault.store_secret("otp", "123456")
    assert secret.secret_ref.startswith("otok_")


async def test_tokenize_is_retried_once_store_secret_never(bank, faults):
    faults.set_faults(error_rate=1.0, paths=["/api/v1/vault"])
    with pytest.raises(errors.BankUnavailable):
        await bank.vault.tokenize_card(OTHER_BANK_CARD)  # same number, same token: safe to repeat
    with pytest.raises(errors.BankUnavailable):
        await bank.vault.store_secret("otp", "123456")  # a new reference each time: sent once
    attempts = bank.transport.rest.attempts
    assert attempts["POST /api/v1/vault/cards"] == 2
    assert attempts["POST /api/v1/vault/secrets"] == 1
