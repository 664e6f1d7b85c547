"""POST /me/kyc: identity verification for the Digital Tariff Card."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field, constr
from sqlalchemy.orm import Session

from corebank.core import tariffs
from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.contract import SESSION_ERRORS, ContractModel, errors, merge, one_of_required
from corebank.core.db import get_session, iso
from corebank.core.errors import BankError
from corebank.core.money import fmt
from corebank.core.settings import get_settings
from corebank.kyc import service

router = APIRouter(prefix="/api/v1", tags=["kyc"])


class KycIn(ContractModel):
    consent: Literal[True] = Field(..., description="Consent to the processing of personal data.")
    full_name: constr(strict=True, regex=r"^[^\s]{1,60}( [^\s]{1,60}){1,3}$")
    address: constr(strict=True, regex=r"^\S.{3,298}\S$")
    passport_authority: constr(strict=True, regex=r"^\S.{0,198}\S$")
    date_of_birth: date = Field(..., description="After 1900 and before today (422 "
                                                 "implausible_date otherwise).")
    passport_issue_date: date
    passport_number: constr(strict=True, regex=r"^[A-Za-z0-9][A-Za-z0-9 -]{0,19}$") | None = None
    passport_ref: constr(strict=True, regex=r"^ptok_[A-Za-z0-9_-]{1,60}$") | None = Field(
        None, description="A vault reference to the typed number (unknown or expired: 422 "
                          "secret_expired).")

    class Config:
        schema_extra = one_of_required("passport_number", "passport_ref")


class KycDocument(ContractModel):
    type: str | None
    masked: str | None


class KycOut(ContractModel):
    kyc_id: str
    kyc_level: str
    document: KycDocument
    credit_limit: str
    currency: str
    cashback: dict


@router.post("/me/kyc", response_model=KycOut, responses=merge(SESSION_ERRORS, errors(409)))
def submit_kyc(
    body: KycIn,
    _claims: dict = Depends(require_scope("customers")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    payload = body.dict(exclude_none=True)
    for name in ("date_of_birth", "passport_issue_date"):
        payload[name] = payload[name].isoformat()
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


class KycRecordOut(ContractModel):
    kyc_id: str
    status: str
    reason: str | None
    full_name: str
    date_of_birth: str
    address: str
    document: KycDocument
    passport_issue_date: str | None
    passport_authority: str | None
    created_at: str | None


@router.get("/me/kyc", response_model=KycRecordOut, responses=merge(SESSION_ERRORS, errors(404)))
def latest_kyc(
    _claims: dict = Depends(require_scope("customers")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    """The customer's latest KYC application as the bank recorded it (accepted or rejected), so
    what a conversation submitted can be checked on the bank. The passport only masked."""
    record = service.latest_record(session, me.customer_id)
    if record is None:
        raise BankError("not_found", "No KYC application on record.", 404)
    return {
        "kyc_id": record.id,
        "status": record.status,
        "reason": record.reason,
        "full_name": record.full_name,
        "date_of_birth": record.date_of_birth.isoformat(),
        "address": record.address,
        "document": {"type": record.document_type, "masked": record.passport_masked},
        "passport_issue_date": (record.passport_issue_date.isoformat()
                                if record.passport_issue_date else None),
        "passport_authority": record.passport_authority,
        "created_at": iso(record.created_at),
    }
