"""Liveness/readiness: the database answers."""

from __future__ import annotations

from fastapi import APIRouter

from corebank.core.contract import ContractModel
from corebank.core.db import session_scope
from corebank.core.ledger import ping

router = APIRouter(tags=["health"])


class HealthOut(ContractModel):
    status: str


@router.get("/health", response_model=HealthOut)
def health() -> dict:
    with session_scope() as session:
        ping(session)
    return {"status": "ok"}
