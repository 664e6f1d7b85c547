"""One-time links to the bank's secure page: see card details, set the PIN or the password.

The chat only ever carries the link; the secret values are shown or typed on the page.
Only the SHA-256 of the link token is stored. A link works once (card details: the first
view; PIN/password: the first successful form post) and for SECURE_LINK_TTL_SECONDS.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.core import keys
from corebank.core.accounts import own_card
from corebank.core.db import new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.settings import get_settings
from corebank.secure_pages.models import SecureLink

PURPOSES = ("card_details", "set_pin", "set_password")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def card_cvv(pan: str, expiry: str) -> str:
    """Derived from PAN + expiry under the bank's key (like a CVK), so it is never stored."""
    return f"{int(keys.keyed_hash('cvv', pan, expiry)[:8], 16) % 1000:03d}"


def new_link(session: Session, customer_id: str, payload: dict,
             identity: str | None = None) -> tuple[SecureLink, str]:
    """A link for `payload["purpose"]` (and `card_id`, needed except for the password);
    (the stored link, the token for its URL)."""
    purpose = payload.get("purpose")
    if purpose not in PURPOSES:
        raise BankError("invalid_request",
                        "purpose must be card_details, set_pin or set_password.", field="purpose")
    card_id = payload.get("card_id")
    card = None
    if purpose != "set_password" or card_id is not None:
        card = own_card(session, customer_id, card_id)
        if card.status == "blocked":
            raise BankError("card_blocked", "This card is blocked.")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = SecureLink(id=new_id("sln_"), token_hash=token_hash(token), purpose=purpose,
                      customer_id=customer_id, card_id=card.id if card else None,
                      identity=identity,
                      expires_at=now + timedelta(seconds=get_settings().secure_link_ttl_seconds),
                      created_at=now)
    session.add(link)
    return link, token


def load(session: Session, token: str) -> SecureLink | str:
    """The usable link (locked), or the reason it is not ('unknown' | 'used' | 'expired')."""
    if not 20 <= len(token) <= 100:
        return "unknown"
    link = session.execute(
        select(SecureLink).where(SecureLink.token_hash == token_hash(token)).with_for_update()
    ).scalar_one_or_none()
    if link is None:
        return "unknown"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= utcnow():
        return "expired"
    return link
