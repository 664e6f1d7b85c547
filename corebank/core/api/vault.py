"""Vault API (scope `vault`): card tokenization and typed-secret references."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import Field, constr

from corebank.core import vault
from corebank.core.auth import require_scope
from corebank.core.contract import TOKEN_ERRORS, ContractModel, errors, merge
from corebank.core.db import session_scope

router = APIRouter(prefix="/api/v1/vault", tags=["vault"],
                   dependencies=[Depends(require_scope("vault"))], responses=TOKEN_ERRORS)


class PanIn(ContractModel):
    pan: constr(strict=True, max_length=40) = Field(
        ..., description="13-19 digits, spaces or dashes allowed; not a valid card number: "
                         "422 invalid_card_number.")


class VaultCard(ContractModel):
    card_token: str
    masked: str
    last4: str
    network: str | None
    issuer: str | None
    bank_name: str | None


class SecretIn(ContractModel):
    kind: Literal["otp", "passport", "other"]
    value: constr(strict=True, regex=r"^\S(.{0,498}\S)?$")


class SecretRef(ContractModel):
    secret_ref: str
    expires_in: int


@router.post("/cards", response_model=VaultCard)
def tokenize_card(body: PanIn) -> dict:
    pan = vault.normalise_pan(body.pan)
    with session_scope() as session:
        return vault.card_view(vault.tokenize(session, pan))


@router.get("/cards/{card_token}", response_model=VaultCard, responses=merge(errors(404)))
def lookup_card(card_token: str) -> dict:
    with session_scope() as session:
        return vault.card_view(vault.get_card(session, card_token))


@router.post("/secrets", response_model=SecretRef)
def store_secret(body: SecretIn) -> dict:
    with session_scope() as session:
        ref, ttl = vault.store_secret(session, body.kind, body.value)
    return {"secret_ref": ref, "expires_in": ttl}
