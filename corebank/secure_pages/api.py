"""POST /api/v1/me/secure-links: a one-time link to the secure page for the chat to send."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.db import get_session
from corebank.core.http import public_url
from corebank.core.settings import get_settings
from corebank.secure_pages import links

router = APIRouter(prefix="/api/v1", tags=["secure pages"])


@router.post("/me/secure-links", status_code=201)
def create_secure_link(
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    link, token = links.new_link(session, me.customer_id, payload, me.identity)
    session.commit()
    return {"link_id": link.id, "purpose": link.purpose, "card_id": link.card_id,
            "url": public_url(f"/secure/{token}"),
            "expires_in": get_settings().secure_link_ttl_seconds}
