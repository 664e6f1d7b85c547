"""Partner offers API: the catalog, an offer for the customer (eligibility, the promo code
already issued), recording the partner's promo code, cashback earned; and the sandbox's
purchase at a partner (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.db import get_session, utcnow
from corebank.core.errors import BankError
from corebank.core.idempotency import validate_idempotency_key
from corebank.core.phones import normalise_phone
from corebank.partners import catalog, service
from corebank.sandbox.api import require_admin

router = APIRouter(prefix="/api/v1", tags=["partners"])
sandbox_router = APIRouter(prefix="/sandbox", tags=["sandbox"],
                           dependencies=[Depends(require_admin)])


@router.get("/partners")
def partners(_claims: dict = Depends(require_scope("cards"))) -> list:
    return [catalog.partner_body(p) for p in catalog.PARTNERS]


@router.get("/partners/offers")
def offers(partner_id: str | None = Query(None, max_length=40),
           _claims: dict = Depends(require_scope("cards"))) -> list:
    return service.catalog(utcnow(), partner_id)


@router.get("/me/partner-offers/{offer_id}")
def my_offer(
    offer_id: str,
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    return service.offer_status(session, me.customer_id, offer_id)


@router.post("/me/partner-offers/{offer_id}/promo-code")
def record_promo_code(
    offer_id: str,
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    promo, created = service.record_promo_code(session, me.customer_id, offer_id,
                                               payload.get("code"), payload.get("partner_ref"))
    session.commit()
    return JSONResponse(promo, status_code=201 if created else 200)


@router.get("/me/cashback")
def my_cashback(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    return service.cashback_summary(session, me.customer_id)


@sandbox_router.post("/purchases")
def purchase(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    session: Session = Depends(get_session),
) -> dict:
    """A card purchase at a partner, as the card network would report it."""
    key = validate_idempotency_key(idempotency_key)
    phone = normalise_phone(payload.get("phone"))
    partner_id = payload.get("partner_id")
    if not isinstance(partner_id, str):
        raise BankError("invalid_request", "partner_id is required.", field="partner_id")
    body = service.purchase(session, phone, partner_id, payload.get("amount"), key)
    session.commit()
    return body
