"""Top-ups and payment requests API under /api/v1/me: create one (a link to the hosted
payment page comes back), look it up."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import Field, constr
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.contract import (
    AMOUNT_RULES,
    CURRENCY_RULES,
    IDEMPOTENCY_KEY,
    SESSION_ERRORS,
    Amount,
    ContractModel,
    Currency,
    errors,
    merge,
)
from corebank.core.db import get_session
from corebank.core.errors import BankError
from corebank.core.idempotency import Idempotent
from corebank.payments import service
from corebank.payments.models import PaymentRequest, Topup

router = APIRouter(prefix="/api/v1/me", tags=["top-ups and payment requests"],
                   responses=SESSION_ERRORS)


class TopupIn(ContractModel):
    amount: Amount = Field(..., description=AMOUNT_RULES)
    currency: Currency = Field("UAH", description=CURRENCY_RULES)
    card_id: constr(strict=True, min_length=1, max_length=64) | None = None


class TopupOut(ContractModel):
    topup_id: str
    status: str
    amount: str
    currency: str
    payment_url: str
    expires_in: int
    expires_at: str | None
    failure_reason: str | None
    completed_at: str | None


class PaymentRequestIn(TopupIn):
    note: constr(strict=True, max_length=140) | None = None


class PaymentRequestOut(ContractModel):
    request_id: str
    status: str
    amount: str
    currency: str
    note: str | None
    url: str
    expires_in: int
    expires_at: str | None
    paid_at: str | None


@router.post("/topups", status_code=201, responses=merge(
    {201: {"model": TopupOut, "description": "Created (or the first answer, replayed)."}},
    errors(404, 409)))
def create_topup(
    body: TopupIn,
    idempotency_key: IDEMPOTENCY_KEY = Header(..., alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    payload = body.dict(exclude_none=True)
    idem = Idempotent(session, idempotency_key, f"topups:{me.customer_id}", payload)
    if idem.replay:
        return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    body = service.topup_body(service.new_topup(session, me, payload))
    idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/topups/{topup_id}", response_model=TopupOut, responses=errors(404))
def get_topup(
    topup_id: str,
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    t = session.get(Topup, topup_id)
    if t is None or t.customer_id != me.customer_id:
        raise BankError("not_found", "No such top-up.")
    return service.topup_body(t)


@router.post("/payment-requests", status_code=201, responses=merge(
    {201: {"model": PaymentRequestOut, "description": "Created (or replayed)."}},
    errors(404, 409)))
def create_payment_request(
    body: PaymentRequestIn,
    idempotency_key: IDEMPOTENCY_KEY | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    payload = body.dict(exclude_none=True)
    idem = None
    if idempotency_key is not None:  # optional here: creating a request moves no money
        idem = Idempotent(session, idempotency_key, f"payreq:{me.customer_id}", payload)
        if idem.replay:
            return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    body = service.request_body(service.new_request(session, me, payload))
    if idem:
        idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/payment-requests/{request_id}", response_model=PaymentRequestOut,
            responses=errors(404))
def get_payment_request(
    request_id: str,
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    r = session.get(PaymentRequest, request_id)
    if r is None or r.customer_id != me.customer_id:
        raise BankError("not_found", "No such payment request.")
    return service.request_body(r)
