"""Small helpers shared by the feature routers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.config import get_settings
from corebank.errors import BankError
from corebank.ledger import idempotent, remember_response, request_hash
from corebank.models import Card


def public_url(path: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}{path}"


def require_str(payload: dict, name: str, *, max_len: int, min_len: int = 1,
                required: bool = True) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not min_len <= len(value.strip()) <= max_len:
        raise BankError("invalid_request",
                        f"'{name}' must be text of {min_len} to {max_len} characters.",
                        field=name)
    return value.strip()


def own_card(session: Session, customer_id: str, card_id: object, *, lock: bool = False) -> Card:
    """A card of this customer by id (404 card_not_found for anyone else's or unknown)."""
    if not isinstance(card_id, str):
        raise BankError("card_not_found", "No such card.")
    stmt = select(Card).where(Card.id == card_id, Card.customer_id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
    card = session.execute(stmt).scalar_one_or_none()
    if card is None:
        raise BankError("card_not_found", "No such card.")
    return card


class Idempotent:
    """`with`-less helper around the ledger's idempotency claim for one operation."""

    def __init__(self, session: Session, key: str | None, scope: str, payload: object):
        self.session, self.key, self.scope = session, key, scope
        self.replay = idempotent(session, key, request_hash(payload), scope)

    def remember(self, body: object, status_code: int = 200) -> None:
        remember_response(self.session, self.key, self.scope, body, status_code)
