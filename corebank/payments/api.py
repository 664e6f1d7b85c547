"""Top-ups and payment requests API under /api/v1/me: create one (a link to the hosted
payment page comes back), look it up."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Header
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.db import get_session
from corebank.core.errors import BankError
from corebank.core.idempotency import Idempotent
from corebank.payments import service
from corebank.payments.models import PaymentRequest, Topup

router = APIRouter(prefix="/api/v1/me", tags=["top-ups and payment requests"])


@router.post("/topups", status_code=201)
def create_topup(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    idem = Idempotent(session, idempotency_key, f"topups:{me.customer_id}", payload)
    if idem.replay:
        return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    body = service.topup_body(service.new_topup(session, me, payload))
    idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/topups/{topup_id}")
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


@router.post("/payment-requests", status_code=201)
def create_payment_request(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
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


@router.get("/payment-requests/{request_id}")
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
