"""Transfers API under /api/v1/me: a quote, then the transfer (idempotent)."""

from __future__ import annotations

import json

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
from corebank.core.idempotency import Idempotent, validate_idempotency_key
from corebank.core.models import IdempotencyKey
from corebank.transfers import service

router = APIRouter(prefix="/api/v1/me", tags=["transfers"], responses=SESSION_ERRORS)


class QuoteIn(ContractModel):
    amount: Amount = Field(..., description=AMOUNT_RULES)
    currency: Currency = Field("UAH", description=CURRENCY_RULES)
    to_card_token: constr(strict=True, regex=r"^ctok_[A-Za-z0-9_-]{1,60}$")


class Limits(ContractModel):
    per_transfer: str
    daily_remaining: str


class QuoteOut(ContractModel):
    quote_id: str
    amount: str
    fee: str
    total: str
    currency: str
    route: str
    recipient_masked: str | None
    recipient_masked_name: str | None
    recipient_bank: str | None
    requires_step_up: bool
    step_up_reason: str | None
    expires_at: str
    expires_in: int
    limits: Limits


class TransferIn(ContractModel):
    quote_id: constr(strict=True, min_length=1, max_length=100)
    step_up_token: constr(strict=True, min_length=1, max_length=200) | None = Field(
        None, description="Needed when the quote says `requires_step_up` (403 otherwise).")


class TransferOut(ContractModel):
    transfer_id: str
    status: str
    amount: str
    fee: str
    total: str
    currency: str
    route: str
    recipient_masked: str | None
    balance_after: str
    receipt_no: str | None
    journal_id: str | None
    at: str | None


@router.post("/transfers/quote", status_code=201, response_model=QuoteOut,
             responses=errors(404, 409))
def quote(
    body: QuoteIn,
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    q, remaining = service.make_quote(session, me.customer_id, body.dict())
    body = service.quote_body(q, remaining)
    session.commit()
    return body


@router.post("/transfers", status_code=201, responses=merge(
    {201: {"model": TransferOut, "description": "Sent (or the first answer, replayed)."}},
    errors(404, 409)))
def make_transfer(
    body: TransferIn,
    idempotency_key: IDEMPOTENCY_KEY = Header(..., alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    # The step-up token is single use, so it is not part of what makes a replay "the same".
    payload = body.dict()
    fingerprint = {"quote_id": payload.get("quote_id")}
    idem = Idempotent(session, idempotency_key, f"transfers:{me.customer_id}", fingerprint)
    if idem.replay:
        return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    transfer = service.execute(session, me.customer_id, payload)
    body = service.transfer_body(transfer)
    idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/transfers/by-key/{key}", response_model=TransferOut, responses=errors(404))
def transfer_by_key(
    key: IDEMPOTENCY_KEY,
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
