"""POST /api/v1/me/secure-links: a one-time link to the secure page for the chat to send."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import Field, constr
from sqlalchemy.orm import Session

from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.contract import SESSION_ERRORS, ContractModel, errors, merge
from corebank.core.db import get_session
from corebank.core.http import public_url
from corebank.core.settings import get_settings
from corebank.secure_pages import links

router = APIRouter(prefix="/api/v1", tags=["secure pages"])


class SecureLinkIn(ContractModel):
    purpose: Literal["card_details", "set_pin", "set_password"]
    card_id: constr(strict=True, min_length=1, max_length=64) | None = Field(
        None, description="Needed except for set_password (404 card_not_found otherwise).")


class SecureLinkOut(ContractModel):
    link_id: str
    purpose: str
    card_id: str | None
    url: str
    expires_in: int


@router.post("/me/secure-links", status_code=201, response_model=SecureLinkOut,
             responses=merge(SESSION_ERRORS, errors(404, 409)))
def create_secure_link(
    body: SecureLinkIn,
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    link, token = links.new_link(session, me.customer_id, body.dict(), me.identity)
    session.commit()
    return {"link_id": link.id, "purpose": link.purpose, "card_id": link.card_id,
            "url": public_url(f"/secure/{token}"),
            "expires_in": get_settings().secure_link_ttl_seconds}
