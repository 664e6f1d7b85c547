"""Referral API: the customer's invitation code and results, attributing a newcomer (a chat
before or after login), the newcomer's welcome reward."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Header
from sqlalchemy.orm import Session

from corebank.core.auth import (
    CurrentCustomer,
    current_customer,
    require_scope,
    resolve_session,
    validate_identity,
)
from corebank.core.db import get_session
from corebank.core.errors import BankError
from corebank.referrals import service

router = APIRouter(prefix="/api/v1", tags=["referrals"])


@router.get("/me/referral")
def my_referral(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    body = service.referral_body(session, me.customer_id)
    session.commit()
    return body


@router.post("/referrals/attributions")
def attribute(
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("cards")),
    x_messenger_identity: str | None = Header(None),
    session: Session = Depends(get_session),
) -> dict:
    """A newcomer chat arrived with (source=link) or typed (source=code) an invitation or a
    campaign code. The chat need not be logged in; when it is, the customer is attributed."""
    identity = validate_identity(x_messenger_identity)
    code = payload.get("code")
    if not isinstance(code, str) or not 1 <= len(code.strip()) <= 40:
        raise BankError("invalid_request", "code must be 1-40 characters.", field="code")
    who = resolve_session(session, identity, touch=False)
    customer_id = None if isinstance(who, BankError) else who.customer_id
    body = service.attribute(session, identity, code, str(payload.get("source") or "code"),
                             customer_id)
    session.commit()
    return body


@router.get("/me/welcome")
def my_welcome(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    return {"welcome": service.welcome_body(session, me.customer_id)}
