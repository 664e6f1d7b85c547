"""The authorization zone: OTP login, sessions, step-up (scope `customers`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header
from pydantic import Field, conint, constr

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
from corebank.core.contract import (
    IDENTITY_PATTERN,
    SESSION_ERRORS,
    TOKEN_ERRORS,
    ContractModel,
    errors,
    merge,
    one_of_required,
)
from corebank.core.db import iso, session_scope
from corebank.core.errors import BankError
from corebank.core.phones import mask_phone, normalise_phone

router = APIRouter(prefix="/api/v1", tags=["auth"],
                   dependencies=[Depends(require_scope("customers"))])


class OtpStart(ContractModel):
    phone: constr(strict=True, regex=r"^\+[1-9][0-9]{7,14}$") = Field(
        ..., description="E.164; a well-formed number that does not exist is 422 invalid_phone.")
    identity: constr(strict=True, regex=IDENTITY_PATTERN) | None = Field(
        None, description="The chat asking: `<channel>:<user id>`; without it, the "
                          "X-Messenger-Identity header (400 when neither is there).")


class Challenge(ContractModel):
    challenge_id: str
    masked_phone: str
    expires_in: int


class OtpVerify(ContractModel):
    # Any text: a malformed code is a wrong code (401 otp_invalid), and counts as an attempt.
    code: constr(strict=True, max_length=64) | conint(strict=True, ge=0, le=999999) | None = None
    secret_ref: constr(strict=True, regex=r"^otok_[A-Za-z0-9_-]{1,60}$") | None = Field(
        None, description="A vault reference to the typed code (unknown or used: "
                          "401 otp_invalid).")

    class Config:
        schema_extra = one_of_required("code", "secret_ref")


class Verified(ContractModel):
    class Config:
        extra = "allow"  # login: customer_id, session_id, ...; step-up: step_up_token


class StepUpStart(ContractModel):
    purpose: constr(strict=True, min_length=1, max_length=64) = Field(
        ..., description="What the code confirms: `transfer` (reference: the quote id) or "
                         "`bill` (reference: the payment's idempotency key, with amount and "
                         "target). The token is good only for that operation.")
    reference: constr(strict=True, min_length=1, max_length=200)
    amount: constr(strict=True, regex=r"^[0-9]{1,12}(\.[0-9]{1,2})?$") | None = Field(
        None, description="bill: the total to pay (amount + fee).")
    target: constr(strict=True, min_length=1, max_length=200) | None = Field(
        None, description="bill: `<provider id>:<account>`.")


class SessionOut(ContractModel):
    customer_id: str
    identity: str
    session_id: str
    first_name: str | None
    kyc_level: str
    masked_phone: str
    expires_at: str | None
    idle_timeout_seconds: int


class LoggedOut(ContractModel):
    logged_out: bool


@router.post("/auth/otp", response_model=Challenge, responses=merge(TOKEN_ERRORS, errors(429)))
def start_login(body: OtpStart,
                x_messenger_identity: str | None = Header(None, include_in_schema=False)) -> dict:
    phone = normalise_phone(body.phone)
    identity = validate_identity(body.identity or x_messenger_identity)
    with session_scope() as session:
        challenge = otp.start_challenge(session, phone, identity, "login")
        return otp.challenge_view(challenge)


@router.post("/auth/otp/{challenge_id}/verify", response_model=Verified,
             responses=merge(TOKEN_ERRORS, errors(404, 410, 429)))
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


@router.get("/me/session", response_model=SessionOut, responses=SESSION_ERRORS)
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


@router.delete("/me/session", response_model=LoggedOut, responses=SESSION_ERRORS)
def logout(x_messenger_identity: str | None = Header(None, include_in_schema=False)) -> dict:
    identity = validate_identity(x_messenger_identity)
    with session_scope() as session:
        ended = end_sessions(session, identity, "logout")
    return {"logged_out": ended > 0}


@router.post("/me/step-up", response_model=Challenge,
             responses=merge(SESSION_ERRORS, errors(404, 422, 429)))
def start_step_up(body: StepUpStart,
                  x_messenger_identity: str | None = Header(None, include_in_schema=False)) -> dict:
    identity = validate_identity(x_messenger_identity)
    with session_scope() as session:
        customer = resolve_session(session, identity)
        if isinstance(customer, BankError):
            error = customer
        else:
            error = None
            terms = otp.step_up_terms(session, customer.customer_id, body.purpose,
                                      body.reference, body.dict())
            challenge = otp.start_challenge(
                session, customer.phone, identity, "step_up", customer_id=customer.customer_id,
                reference=body.reference, step_up_purpose=body.purpose,
                confirms=terms.confirms, amount=terms.amount, target=terms.target)
            view = otp.challenge_view(challenge)
    if error:
        raise error
    return view
