"""The vault: the only place full card numbers and typed secrets exist (encrypted).

Helpers for routers (all inside the caller's transaction):
- `normalise_pan(raw) -> str` (422 invalid_card_number), `tokenize(session, pan) -> VaultCard`
  (same PAN -> same token), `card_view(vault_card) -> dict`, `get_card(session, token)`
  (404 card_not_found), `reveal_pan(session, token) -> str` (only for the bank's own secure
  pages; never log or return it to the assistant), `new_own_pan(session, bin) -> str`.
- `store_secret(session, kind, value) -> (secret_ref, ttl)`,
  `reveal_secret(session, ref, kind=None, consume=True) -> str | None` (None: unknown, expired
  or already used; otp secrets are single use).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import luhn

from corebank.core import bins, keys
from corebank.core.db import new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.models import VaultCard, VaultSecret
from corebank.core.settings import get_settings

SECRET_PREFIX = {"otp": "otok_", "passport": "ptok_", "other": "stok_"}
_PAN_RE = re.compile(r"^[0-9][0-9 \-]{11,30}[0-9]$")


def normalise_pan(raw: object) -> str:
    if not isinstance(raw, str):
        raise BankError("invalid_request", "'pan' must be a string of digits.", field="pan")
    if not _PAN_RE.match(raw.strip()):
        raise BankError("invalid_card_number", "That does not look like a card number.")
    pan = re.sub(r"[ \-]", "", raw.strip())
    if not 13 <= len(pan) <= 19 or not luhn.is_valid(pan):
        raise BankError("invalid_card_number", "That card number is not valid.")
    return pan


def masked(last4: str) -> str:
    return f"•••• {last4}"


def card_view(card: VaultCard) -> dict:
    return {
        "card_token": card.card_token,
        "masked": masked(card.last4),
        "last4": card.last4,
        "network": card.network,
        "issuer": card.issuer,
        "bank_name": card.bank_name,
    }


def tokenize(session: Session, pan: str) -> VaultCard:
    """Token for a normalised PAN, created on first sight (same PAN -> same token)."""
    pan_hash = keys.keyed_hash("pan", pan)
    existing = session.execute(
        select(VaultCard).where(VaultCard.pan_hash == pan_hash)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    issuer, network, bank_name = bins.classify(pan)
    card = VaultCard(card_token=new_id("ctok_"), pan_hash=pan_hash, pan_encrypted=keys.encrypt(pan),
                     bin=pan[:6], last4=pan[-4:], network=network, issuer=issuer,
                     bank_name=bank_name, created_at=utcnow())
    try:
        with session.begin_nested():  # a concurrent request may tokenize the same PAN
            session.add(card)
    except Exception:
        existing = session.execute(
            select(VaultCard).where(VaultCard.pan_hash == pan_hash)
        ).scalar_one_or_none()
        if existing is None:
            raise
        return existing
    return card


def get_card(session: Session, card_token: str) -> VaultCard:
    card = session.get(VaultCard, card_token) if isinstance(card_token, str) else None
    if card is None:
        raise BankError("card_not_found", "No card with that token.")
    return card


def reveal_pan(session: Session, card_token: str) -> str:
    return keys.decrypt(get_card(session, card_token).pan_encrypted)


def new_own_pan(session: Session, bin6: str = bins.DEFAULT_OWN_BIN) -> str:
    """A fresh Luhn-valid 16-digit number in one of our BINs, not yet in the vault."""
    while True:
        body = bin6 + "".join(secrets.choice("0123456789") for _ in range(9))
        pan = body + luhn.calc_check_digit(body)
        taken = session.execute(
            select(VaultCard.card_token).where(VaultCard.pan_hash == keys.keyed_hash("pan", pan))
        ).first()
        if not taken:
            return pan


def store_secret(session: Session, kind: str, value: str) -> tuple[str, int]:
    if kind not in SECRET_PREFIX:
        raise BankError("invalid_request", "kind must be otp, passport or other.", field="kind")
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        raise BankError("invalid_request", "value must be a non-empty string.", field="value")
    ttl = get_settings().secret_ttl_seconds
    ref = new_id(SECRET_PREFIX[kind])
    session.add(VaultSecret(secret_ref=ref, kind=kind, value_encrypted=keys.encrypt(value.strip()),
                            created_at=utcnow(), expires_at=utcnow() + timedelta(seconds=ttl)))
    return ref, ttl


def reveal_secret(session: Session, secret_ref: str, kind: str | None = None,
                  consume: bool = True) -> str | None:
    if not isinstance(secret_ref, str):
        return None
    row = session.execute(
        select(VaultSecret).where(VaultSecret.secret_ref == secret_ref).with_for_update()
    ).scalar_one_or_none()
    if row is None or (kind and row.kind != kind) or row.expires_at <= utcnow():
        return None
    if row.kind == "otp" and row.used_at is not None:
        return None
    if consume:
        row.used_at = utcnow()
    return keys.decrypt(row.value_encrypted)
