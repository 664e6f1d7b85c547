"""The authorization zone: OTP login, sessions, step-up (scope `customers`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, StrictStr, constr

from corebank.core import otp
from corebank.core.auth import (
    CurrentCustomer,
    current_customer,
    end_sessions,
    idle_delta,
    require_scope,
    resolve_session,
    validate_identity,
)
from corebank.core.db import iso, session_scope
from corebank.core.errors import BankError
from corebank.core.phones import mask_phone, normalise_phone

router = APIRouter(prefix="/api/v1", tags=["auth"],
                   dependencies=[Depends(require_scope("customers"))])


class OtpStart(BaseModel):
    phone: StrictStr
    identity: StrictStr | None = None


class OtpVerify(BaseModel):
    code: Any = None
    secret_ref: StrictStr | None = None


class StepUpStart(BaseModel):
    purpose: constr(strict=True, min_length=1, max_length=64)
    reference: constr(strict=True, min_length=1, max_length=200) | None = None


@router.post("/auth/otp")
def start_login(body: OtpStart, x_messenger_identity: str | None = Header(None)) -> dict:
    phone = normalise_phone(body.phone)
    identity = validate_identity(body.identity or x_messenger_identity)
    with session_scope() as session:
        challenge = otp.start_challenge(session, phone, identity, "login")
        return otp.challenge_view(challenge)


@router.post("/auth/otp/{challenge_id}/verify")
def verify(challenge_id: str, body: OtpVerify) -> dict:
    if body.code is not None and not isinstance(body.code, (str, int)):
        raise BankError("invalid_request", "'code' must be a string of 6 digits.", 422)
    code = f"{body.code:06d}" if isinstance(body.code, int) and not isinstance(
        body.code, bool) else body.code
    with session_scope() as session:  # failure counters must be committed before we answer
        outcome = otp.verify(session, challenge_id, code=code, secret_ref=body.secret_ref)
    if isinstance(outcome, BankError):
        raise outcome
    return outcome.body


@router.get("/me/session")
def get_session_info(customer: CurrentCustomer = Depends(current_customer)) -> dict:
    return {
        "customer_id": customer.customer_id,
        "identity": customer.identity,
        "session_id": customer.session_id,
        "first_name": customer.first_name,
        "kyc_level": customer.kyc_level,
        "masked_phone": mask_phone(customer.phone),
        "expires_at": iso(customer.session_expires_at),
        "idle_timeout_seconds": int(idle_delta().total_seconds()),
    }


@router.delete("/me/session")
def logout(x_messenger_identity: str | None = Header(None)) -> dict:
    identity = validate_identity(x_messenger_identity)
    with session_scope() as session:
        ended = end_sessions(session, identity, "logout")
    return {"logged_out": ended > 0}


@router.post("/me/step-up")
def start_step_up(body: StepUpStart, x_messenger_identity: str | None = Header(None)) -> dict:
    identity = validate_identity(x_messenger_identity)
    with session_scope() as session:
        customer = resolve_session(session, identity)
        if isinstance(customer, BankError):
            error = customer
        else:
            error = None
            challenge = otp.start_challenge(
                session, customer.phone, identity, "step_up", customer_id=customer.customer_id,
                reference=body.reference, step_up_purpose=body.purpose)
            view = otp.challenge_view(challenge)
    if error:
        raise error
    return view
