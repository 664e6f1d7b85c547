"""Sandbox controls (header X-Sandbox-Token): SMS outbox, fault switches, reset."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, confloat, conint, constr
from sqlalchemy import select

from corebank.core.contract import ContractModel, errors
from corebank.core.db import iso, session_scope
from corebank.core.errors import BankError
from corebank.core.models import SmsMessage
from corebank.core.phones import normalise_phone
from corebank.core.settings import get_settings
from corebank.sandbox.faults import STATE, Faults
from corebank.seed import reset_and_seed


def require_admin(x_sandbox_token: str | None = Header(None, include_in_schema=False),
                  authorization: str | None = Header(None, include_in_schema=False)) -> None:
    """Sandbox controls have their own credential. An OAuth2 client token (the assistant's
    or any other) carries no admin rights: presented alone it is refused with 403."""
    expected = get_settings().sandbox_admin_token.encode()
    if not x_sandbox_token and authorization:
        raise BankError("forbidden", "Client tokens carry no sandbox admin rights; "
                        "sandbox controls need the X-Sandbox-Token header.")
    if not x_sandbox_token or not hmac.compare_digest(x_sandbox_token.encode(), expected):
        raise BankError("unauthorized", "A valid X-Sandbox-Token header is required.")


router = APIRouter(prefix="/sandbox", tags=["sandbox"], dependencies=[Depends(require_admin)],
                   responses=errors(401, 403, 422))


class Sms(ContractModel):
    id: int
    phone: str
    text: str
    created_at: str | None


class SmsOut(ContractModel):
    messages: list[Sms]


class FaultsOut(ContractModel):
    latency_ms: int
    error_rate: float
    hang: bool
    paths: list[str] | None
    answer_latency_ms: int = 0


class ResetOut(ContractModel):
    reset: bool


class FaultsIn(BaseModel):
    latency_ms: conint(strict=True, ge=0, le=120_000) = 0
    error_rate: confloat(ge=0, le=1) = 0.0
    hang: bool = False
    paths: list[str] | None = None
    answer_latency_ms: conint(strict=True, ge=0, le=120_000) = 0


@router.get("/sms", response_model=SmsOut)
def sms(phone: constr(regex=r"^\+[1-9][0-9]{7,14}$") | None = None,
        limit: int = Query(20, ge=1, le=200)) -> dict:
    with session_scope() as session:
        stmt = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
        if phone:
            stmt = stmt.where(SmsMessage.phone == normalise_phone(phone))
        rows = session.execute(stmt).scalars().all()
        return {"messages": [{"id": m.id, "phone": m.phone, "text": m.text,
                              "created_at": iso(m.created_at)} for m in rows]}


@router.get("/faults", response_model=FaultsOut)
def get_faults() -> dict:
    STATE.refresh()
    return STATE.faults.__dict__


@router.put("/faults", response_model=FaultsOut)
def put_faults(body: FaultsIn) -> dict:
    faults = Faults(latency_ms=body.latency_ms, error_rate=body.error_rate, hang=body.hang,
                    paths=body.paths, answer_latency_ms=body.answer_latency_ms)
    STATE.save(faults)
    return faults.__dict__


@router.delete("/faults", response_model=FaultsOut)
def delete_faults() -> dict:
    STATE.save(None)
    return Faults().__dict__


@router.post("/reset", response_model=ResetOut)
def reset() -> dict:
    STATE.save(None)
    reset_and_seed()
    return {"reset": True}
