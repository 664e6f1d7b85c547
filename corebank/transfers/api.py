"""Transfers API under /api/v1/me: a quote, then the transfer (idempotent)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Body, Depends, Header
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.db import get_session
from corebank.core.errors import BankError
from corebank.core.idempotency import Idempotent, validate_idempotency_key
from corebank.core.models import IdempotencyKey
from corebank.transfers import service

router = APIRouter(prefix="/api/v1/me", tags=["transfers"])


@router.post("/transfers/quote", status_code=201)
def quote(
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    q, remaining = service.make_quote(session, me.customer_id, payload)
    body = service.quote_body(q, remaining)
    session.commit()
    return body


@router.post("/transfers", status_code=201)
def make_transfer(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    # The step-up token is single use, so it is not part of what makes a replay "the same".
    fingerprint = {"quote_id": payload.get("quote_id")}
    idem = Idempotent(session, idempotency_key, f"transfers:{me.customer_id}", fingerprint)
    if idem.replay:
        return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    transfer = service.execute(session, me.customer_id, payload)
    body = service.transfer_body(transfer)
    idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/transfers/by-key/{key}")
def transfer_by_key(
    key: str,
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    """The transfer made with this Idempotency-Key, if the bank committed one (404 otherwise):
    what a client asks before telling a customer whose answer was lost that nothing was sent."""
    key = validate_idempotency_key(key)
    row = session.get(IdempotencyKey, (f"transfers:{me.customer_id}", key))
    if row is None or row.response_json is None or row.status_code != 201:
        raise BankError("not_found", "No transfer was made with this key.")
    return JSONResponse(json.loads(row.response_json))
