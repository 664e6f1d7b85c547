"""POST /me/kyc: identity verification for the Digital Tariff Card."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from corebank.core import tariffs
from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.db import get_session
from corebank.core.errors import BankError
from corebank.core.money import fmt
from corebank.core.settings import get_settings
from corebank.kyc import service

router = APIRouter(prefix="/api/v1", tags=["kyc"])


@router.post("/me/kyc")
def submit_kyc(
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("customers")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    record, verdict = service.apply(session, me.customer_id, payload)
    if not verdict.ok:
        session.commit()  # the rejected application is kept for the audit trail
        error = BankError("kyc_rejected", verdict.message, 422, reason=verdict.reason)
        return JSONResponse(error.body(), status_code=error.status)
    body = {
        "kyc_id": record.id,
        "kyc_level": "verified",
        "document": {"type": verdict.document_type, "masked": record.passport_masked},
        "credit_limit": fmt(get_settings().tariff_credit_limit),
        "currency": "UAH",
        "cashback": tariffs.cashback_summary(),
    }
    session.commit()
    return body
