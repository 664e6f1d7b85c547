"""Sandbox controls (header X-Sandbox-Token): SMS outbox, fault switches, reset."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, confloat, conint
from sqlalchemy import select

from corebank.core.db import iso, session_scope
from corebank.core.errors import BankError
from corebank.core.models import SmsMessage
from corebank.core.phones import normalise_phone
from corebank.core.settings import get_settings
from corebank.sandbox.faults import STATE, Faults
from corebank.seed import reset_and_seed


def require_admin(x_sandbox_token: str | None = Header(None),
                  authorization: str | None = Header(None)) -> None:
    """Sandbox controls have their own credential. An OAuth2 client token (the assistant's
    or any other) carries no admin rights: presented alone it is refused with 403."""
    expected = get_settings().sandbox_admin_token.encode()
    if not x_sandbox_token and authorization:
        raise BankError("forbidden", "Client tokens carry no sandbox admin rights; "
                        "sandbox controls need the X-Sandbox-Token header.")
    if not x_sandbox_token or not hmac.compare_digest(x_sandbox_token.encode(), expected):
        raise BankError("unauthorized", "A valid X-Sandbox-Token header is required.")


router = APIRouter(prefix="/sandbox", tags=["sandbox"], dependencies=[Depends(require_admin)])


class FaultsIn(BaseModel):
    latency_ms: conint(strict=True, ge=0, le=120_000) = 0
    error_rate: confloat(ge=0, le=1) = 0.0
    hang: bool = False
    paths: list[str] | None = None


@router.get("/sms")
def sms(phone: str | None = None, limit: int = Query(20, ge=1, le=200)) -> dict:
    with session_scope() as session:
        stmt = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
        if phone:
            stmt = stmt.where(SmsMessage.phone == normalise_phone(phone))
        rows = session.execute(stmt).scalars().all()
        return {"messages": [{"id": m.id, "phone": m.phone, "text": m.text,
                              "created_at": iso(m.created_at)} for m in rows]}


@router.get("/faults")
def get_faults() -> dict:
    STATE.refresh()
    return STATE.faults.__dict__


@router.put("/faults")
def put_faults(body: FaultsIn) -> dict:
    faults = Faults(latency_ms=body.latency_ms, error_rate=body.error_rate, hang=body.hang,
                    paths=body.paths)
    STATE.save(faults)
    return faults.__dict__


@router.delete("/faults")
def delete_faults() -> dict:
    STATE.save(None)
    return Faults().__dict__


@router.post("/reset")
def reset() -> dict:
    STATE.save(None)
    reset_and_seed()
    return {"reset": True}
