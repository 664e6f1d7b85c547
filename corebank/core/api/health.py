"""Liveness/readiness: the database answers."""

from __future__ import annotations

from fastapi import APIRouter

from corebank.core.db import session_scope
from corebank.core.ledger import ping

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict:
    with session_scope() as session:
        ping(session)
    return {"status": "ok"}
