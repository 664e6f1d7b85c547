"""Cards API: tariffs, card issuing (basic / Digital Tariff Card), upgrade, plastic orders."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import Extra, Field, constr
from sqlalchemy.orm import Session

from corebank.cards import service
from corebank.core import tariffs
from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.contract import (
    IDEMPOTENCY_KEY,
    SESSION_ERRORS,
    TOKEN_ERRORS,
    ContractModel,
    errors,
    merge,
)
from corebank.core.db import get_session
from corebank.core.idempotency import Idempotent
from corebank.referrals.api import Welcome
from corebank.referrals.service import on_card_issued

router = APIRouter(prefix="/api/v1", tags=["cards"])


class CardIn(ContractModel):
    tier: Literal["basic", "tariff"]
    holder_name: constr(strict=True, regex=r"^[A-Za-z][A-Za-z '.-]{0,24}[A-Za-z.]$") = Field(
        ..., description="As embossed: Latin letters, spaces, - ' . (2 to 26 characters).")


class CardOut(ContractModel):
    card_id: str
    card_token: str
    masked: str
    last4: str
    holder_name: str | None
    tariff: str
    tariff_name: str
    status: str
    expiry: str | None
    account_id: str
    currency: str
    balance: str
    credit_limit: str
    cashback: dict | None
    welcome: Welcome | None = None  # a newcomer's welcome reward, first card only


ADDRESS_RULES = ("Street 3-120 and city 2-60 characters, each with letters (422 "
                 "invalid_address otherwise).")


class AddressIn(ContractModel):
    street: constr(strict=True, min_length=3, max_length=120) = Field(
        ..., description=ADDRESS_RULES)
    city: constr(strict=True, min_length=2, max_length=60)
    postal_code: constr(strict=True, regex=r"^[0-9]{5}$") | None = None

    class Config:
        extra = Extra.forbid


ADDRESS_TEXT = constr(strict=True, max_length=250)


class PlasticIn(ContractModel):
    address: ADDRESS_TEXT | AddressIn = Field(
        ..., description="'street, city[, postal code]' text or an object. " + ADDRESS_RULES)


class AddressOut(ContractModel):
    street: str
    city: str
    postal_code: str | None


class PlasticOut(ContractModel):
    order_id: str
    card_id: str
    masked: str | None
    status: str
    address: AddressOut
    estimated_delivery: str
    price: str
    currency: str
    created_at: str | None


class TariffsOut(ContractModel):
    tariffs: list[dict]

    class Config:
        extra = Extra.allow


@router.get("/tariffs", response_model=TariffsOut, responses=TOKEN_ERRORS)
def get_tariffs(_claims: dict = Depends(require_scope("cards"))) -> dict:
    return tariffs.tariffs()


@router.post("/me/cards", status_code=201, responses=merge(
    {201: {"model": CardOut, "description": "Issued (or the first answer, replayed)."}},
    SESSION_ERRORS, errors(409)))
def issue_card(
    body: CardIn,
    idempotency_key: IDEMPOTENCY_KEY = Header(..., alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    payload = body.dict()
    idem = Idempotent(session, idempotency_key, f"cards.issue:{me.customer_id}", payload)
    if idem.replay:
        return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    card, account = service.issue(session, me.customer_id, payload)
    body = service.card_body(card, account)
    # an invited newcomer's first card settles the invitation (rewards) in this transaction
    body["welcome"] = on_card_issued(session, me.customer_id, me.identity)
    idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.post("/me/cards/{card_id}/upgrade", response_model=CardOut,
             responses=merge(SESSION_ERRORS, errors(404, 409)))
def upgrade_card(
    card_id: str,
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    card, account, changed = service.upgrade(session, me.customer_id, card_id)
    body = service.card_body(card, account)
    if changed:
        session.commit()
    return body


@router.post("/me/cards/{card_id}/plastic", status_code=201, responses=merge(
    {200: {"model": PlasticOut, "description": "The open order for this card (a repeat)."},
     201: {"model": PlasticOut, "description": "Ordered."}},
    SESSION_ERRORS, errors(404, 409)))
def order_plastic(
    card_id: str,
    body: PlasticIn,
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    payload = body.dict(exclude_none=True)
    order, card, created = service.order_plastic(session, me.customer_id, card_id, payload)
    body = service.order_body(order, card)
    if not created:  # a repeat shows the existing order
        return JSONResponse(body, status_code=200)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/me/plastic-orders", response_model=list[PlasticOut], responses=SESSION_ERRORS)
def plastic_orders(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> list:
    return [service.order_body(order, card)
            for order, card in service.plastic_orders(session, me.customer_id)]
