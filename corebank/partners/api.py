"""Partner offers API: the catalog, an offer for the customer (eligibility, the promo code
already issued), recording the partner's promo code, cashback earned; and the sandbox's
purchase at a partner (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import Field, constr
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.contract import (
    AMOUNT_RULES,
    IDEMPOTENCY_KEY,
    SESSION_ERRORS,
    TOKEN_ERRORS,
    Amount,
    ContractModel,
    errors,
    merge,
)
from corebank.core.db import get_session, utcnow
from corebank.core.phones import normalise_phone
from corebank.partners import catalog, service
from corebank.sandbox.api import require_admin

router = APIRouter(prefix="/api/v1", tags=["partners"])
sandbox_router = APIRouter(prefix="/sandbox", tags=["sandbox"],
                           dependencies=[Depends(require_admin)],
                           responses=errors(401, 403, 422))


class PartnerOut(ContractModel):
    partner_id: str
    name: str
    category: str
    aliases: list[str]


class OfferOut(ContractModel):
    offer_id: str
    partner_id: str
    partner_name: str
    category: str
    aliases: list[str]
    kind: str
    campaign: str | None
    title: str
    details: str
    eligibility: str
    percent: str | None
    starts_at: str
    ends_at: str
    active: bool
    tags: list[str]


class PromoOut(ContractModel):
    code: str
    partner_ref: str | None
    issued_at: str | None


class OfferStatusOut(OfferOut):
    eligible: bool
    reason: str | None = Field(
        ..., description="Why not eligible: ended | not_started | card_required | "
                         "tariff_required (null when eligible).")
    customer_ref: str
    promo_code: PromoOut | None


class PromoIn(ContractModel):
    # 3-64 characters once trimmed
    code: constr(strict=True, min_length=3, max_length=64, regex=r"^\s*\S[\s\S]+\S\s*$") = Field(
        ..., description="The promo code the partner issued for this customer.")
    partner_ref: constr(strict=True, max_length=64) | None = None


class CashbackOut(ContractModel):
    total: str
    credits: int
    currency: str


class PurchaseIn(ContractModel):
    phone: constr(strict=True, regex=r"^\+[1-9][0-9]{7,14}$") = Field(
        ..., description="The customer's phone (E.164; no such number: 422 invalid_phone, "
                         "no such customer: 404).")
    partner_id: constr(strict=True, min_length=1, max_length=40)
    amount: Amount = Field(..., description=AMOUNT_RULES + " Always UAH.")


class PurchaseOut(ContractModel):
    purchase_journal_id: str
    partner_id: str
    amount: str
    currency: str
    cashback: str
    cashback_percent: str
    replayed: bool


@router.get("/partners", response_model=list[PartnerOut], responses=TOKEN_ERRORS)
def partners(_claims: dict = Depends(require_scope("cards"))) -> list:
    return [catalog.partner_body(p) for p in catalog.PARTNERS]


@router.get("/partners/offers", response_model=list[OfferOut], responses=TOKEN_ERRORS)
def offers(partner_id: str | None = Query(None, max_length=40),
           _claims: dict = Depends(require_scope("cards"))) -> list:
    return service.catalog(utcnow(), partner_id)


@router.get("/me/partner-offers/{offer_id}", response_model=OfferStatusOut,
            responses=merge(SESSION_ERRORS, errors(404)))
def my_offer(
    offer_id: str,
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    return service.offer_status(session, me.customer_id, offer_id)


@router.post("/me/partner-offers/{offer_id}/promo-code", responses=merge(
    {200: {"model": PromoOut, "description": "The code already remembered (the first wins)."},
     201: {"model": PromoOut, "description": "Remembered."}},
    SESSION_ERRORS, errors(404, 409)))
def record_promo_code(
    offer_id: str,
    body: PromoIn,
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    """403 `forbidden` (with `reason`) when the customer is not eligible; 409
    `no_promo_code` for an offer that has no promo code."""
    promo, created = service.record_promo_code(session, me.customer_id, offer_id,
                                               body.code, body.partner_ref)
    session.commit()
    return JSONResponse(promo, status_code=201 if created else 200)


@router.get("/me/cashback", response_model=CashbackOut, responses=SESSION_ERRORS)
def my_cashback(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    return service.cashback_summary(session, me.customer_id)


@sandbox_router.post("/purchases", response_model=PurchaseOut,
                     responses=errors(400, 404, 409))
def purchase(
    body: PurchaseIn,
    idempotency_key: IDEMPOTENCY_KEY = Header(..., alias="Idempotency-Key"),
    session: Session = Depends(get_session),
) -> dict:
    """A card purchase at a partner, as the card network would report it."""
    phone = normalise_phone(body.phone)
    out = service.purchase(session, phone, body.partner_id, body.amount, idempotency_key)
    session.commit()
    return out
