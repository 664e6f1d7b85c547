"""Vault API (scope `vault`): card tokenization and typed-secret references."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from corebank.core import vault
from corebank.core.auth import require_scope
from corebank.core.db import session_scope

router = APIRouter(prefix="/api/v1/vault", tags=["vault"],
                   dependencies=[Depends(require_scope("vault"))])


class PanIn(BaseModel):
    pan: Any


class SecretIn(BaseModel):
    kind: Any
    value: Any


@router.post("/cards")
def tokenize_card(body: PanIn) -> dict:
    pan = vault.normalise_pan(body.pan)
    with session_scope() as session:
        return vault.card_view(vault.tokenize(session, pan))


@router.get("/cards/{card_token}")
def lookup_card(card_token: str) -> dict:
    with session_scope() as session:
        return vault.card_view(vault.get_card(session, card_token))


@router.post("/secrets")
def store_secret(body: SecretIn) -> dict:
    with session_scope() as session:
        ref, ttl = vault.store_secret(session, body.kind, body.value)
    return {"secret_ref": ref, "expires_in": ttl}
