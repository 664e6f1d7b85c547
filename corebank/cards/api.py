"""Cards API: tariffs, card issuing (basic / Digital Tariff Card), upgrade, plastic orders."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Header
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from corebank.cards import service
from corebank.core import tariffs
from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.db import get_session
from corebank.core.idempotency import Idempotent
from corebank.referrals.service import on_card_issued

router = APIRouter(prefix="/api/v1", tags=["cards"])


@router.get("/tariffs")
def get_tariffs(_claims: dict = Depends(require_scope("cards"))) -> dict:
    return tariffs.tariffs()


@router.post("/me/cards", status_code=201)
def issue_card(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
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


@router.post("/me/cards/{card_id}/upgrade")
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


@router.post("/me/cards/{card_id}/plastic", status_code=201)
def order_plastic(
    card_id: str,
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    order, card, created = service.order_plastic(session, me.customer_id, card_id, payload)
    body = service.order_body(order, card)
    if not created:  # a repeat shows the existing order
        return JSONResponse(body, status_code=200)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/me/plastic-orders")
def plastic_orders(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> list:
    return [service.order_body(order, card)
            for order, card in service.plastic_orders(session, me.customer_id)]
