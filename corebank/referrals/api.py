"""Referral API: the customer's invitation code and results, attributing a newcomer (a chat
before or after login), the newcomer's welcome reward."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Header
from pydantic import Field, constr
from sqlalchemy.orm import Session

from corebank.core.auth import (
    CurrentCustomer,
    current_customer,
    require_scope,
    resolve_session,
    validate_identity,
)
from corebank.core.contract import SESSION_ERRORS, TOKEN_ERRORS, ContractModel
from corebank.core.db import get_session
from corebank.core.errors import BankError
from corebank.referrals import service

router = APIRouter(prefix="/api/v1", tags=["referrals"])


class ReferralOut(ContractModel):
    code: str
    expires_at: str | None
    invited: int
    joined: int
    pending: int
    rewarded: int
    capped: int
    earned: str
    earned_this_month: str
    currency: str
    reward: str
    monthly_cap: str
    welcome_bonus: str


class AttributionIn(ContractModel):
    # at least one non-space character (the code is trimmed), at most 40 in all
    code: constr(strict=True, max_length=40, regex=r"^\s*\S[\s\S]*$") = Field(
        ..., description="The invitation (INV...) or campaign (PC_...) code, as typed or from "
                         "the deep link; an unknown one is an outcome (status unknown_code).")
    source: Literal["link", "code"] | None = Field(
        None, description="How the code came: a deep link or typed (the default).")


class WelcomeOffer(ContractModel):
    """The welcome reward the newcomer will get with the first card."""

    kind: str
    currency: str
    amount: str | None = None
    partner_name: str | None = None
    boost_percent: str | None = None
    days: int | None = None


class AttributionOut(ContractModel):
    status: Literal["attributed", "already", "already_invited", "own_code", "not_new",
                    "unknown_code", "expired_code"]
    kind: str | None = None
    inviter_name: str | None = None
    campaign: str | None = None
    welcome: WelcomeOffer | None = None


class Welcome(ContractModel):
    """The welcome reward a newcomer got (with the first card)."""

    kind: str
    source: str | None
    inviter_name: str | None
    amount: str | None
    currency: str
    partner_id: str | None
    partner_name: str | None
    boost_percent: str | None
    valid_until: str | None
    active: bool


class WelcomeOut(ContractModel):
    welcome: Welcome | None


@router.get("/me/referral", response_model=ReferralOut, responses=SESSION_ERRORS)
def my_referral(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    body = service.referral_body(session, me.customer_id)
    session.commit()
    return body


@router.post("/referrals/attributions", response_model=AttributionOut,
             response_model_exclude_unset=True, responses=TOKEN_ERRORS)
def attribute(
    body: AttributionIn,
    _claims: dict = Depends(require_scope("cards")),
    x_messenger_identity: str | None = Header(None, include_in_schema=False),
    session: Session = Depends(get_session),
) -> dict:
    """A newcomer chat arrived with (source=link) or typed (source=code) an invitation or a
    campaign code. The chat need not be logged in; when it is, the customer is attributed.
    The newcomer's chat is the X-Messenger-Identity header (400 without it)."""
    identity = validate_identity(x_messenger_identity)
    who = resolve_session(session, identity, touch=False)
    customer_id = None if isinstance(who, BankError) else who.customer_id
    out = service.attribute(session, identity, body.code, body.source or "code", customer_id)
    session.commit()
    return out


@router.get("/me/welcome", response_model=WelcomeOut, responses=SESSION_ERRORS)
def my_welcome(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    return {"welcome": service.welcome_body(session, me.customer_id)}
