"""Reading a legacy SOAP operation's parameters: simple values, the customer behind
`Identity` (a messenger identity with an active session) and a card named by `CardId` (a card
id or its `ctok_` token)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, resolve_session, validate_identity
from corebank.core.errors import BankError
from corebank.core.models import Card


def text(params: dict, name: str, required: bool = True) -> str | None:
    value = params.get(name)
    if isinstance(value, dict):
        raise BankError("invalid_request", f"{name} must be a simple value.", 422)
    if value in (None, "") and required:
        raise BankError("invalid_request", f"{name} is required.", 422, field=name)
    return value or None


def customer(session: Session, params: dict) -> CurrentCustomer:
    identity = validate_identity(text(params, "Identity"))
    outcome = resolve_session(session, identity)
    if isinstance(outcome, BankError):
        raise outcome
    return outcome


def card(session: Session, owner: CurrentCustomer, params: dict, lock: bool = False) -> Card:
    ref = text(params, "CardId") if "CardId" in params else text(params, "CardToken")
    column = Card.card_token if ref.startswith("ctok_") else Card.id
    stmt = select(Card).where(column == ref)
    if lock:
        stmt = stmt.with_for_update()
    found = session.execute(stmt).scalar_one_or_none()
    if found is None or found.customer_id != owner.customer_id:
        raise BankError("card_not_found", "No such card for this customer.")
    return found
