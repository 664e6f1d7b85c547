"""One-time links to the bank's secure page: see card details, set the PIN or the password.

The chat only ever carries the link; the secret values are shown or typed on the page.
Only the SHA-256 of the link token is stored. A link works once (card details: the first
view; PIN/password: the first successful form post) and for SECURE_LINK_TTL_SECONDS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import parse_qs

from fastapi import APIRouter, Body, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corebank import keys, vault
from corebank.auth import CurrentCustomer, current_customer, require_scope
from corebank.db import get_session, new_id, session_scope, utcnow
from corebank.errors import BankError
from corebank.features import pages
from corebank.features.common import own_card, public_url
from corebank.features.models import Credential, SecureLink
from corebank.features.secrets_hashing import hash_secret, password_problem, pin_problem
from corebank.features.settings import feature_settings
from corebank.models import Card

router = APIRouter(tags=["secure pages"])
api = APIRouter(prefix="/api/v1", tags=["secure pages"])

PURPOSES = ("card_details", "set_pin", "set_password")
MAX_FORM_FAILURES = 5
TITLES = {"card_details": "Card details", "set_pin": "Set PIN", "set_password": "Set password"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def card_cvv(pan: str, expiry: str) -> str:
    """Derived from PAN + expiry under the bank's key (like a CVK), so it is never stored."""
    return f"{int(keys.keyed_hash('cvv', pan, expiry)[:8], 16) % 1000:03d}"


@api.post("/me/secure-links", status_code=201)
def create_secure_link(
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    purpose = payload.get("purpose")
    if purpose not in PURPOSES:
        raise BankError("invalid_request",
                        "purpose must be card_details, set_pin or set_password.", field="purpose")
    card_id = payload.get("card_id")
    card = None
    if purpose != "set_password" or card_id is not None:
        card = own_card(session, me.customer_id, card_id)
        if card.status == "blocked":
            raise BankError("card_blocked", "This card is blocked.")
    token = secrets.token_urlsafe(32)
    ttl = feature_settings().secure_link_ttl_seconds
    now = utcnow()
    link = SecureLink(id=new_id("sln_"), token_hash=token_hash(token), purpose=purpose,
                      customer_id=me.customer_id, card_id=card.id if card else None,
                      expires_at=now + timedelta(seconds=ttl), created_at=now)
    session.add(link)
    session.commit()
    return {"link_id": link.id, "purpose": purpose, "card_id": link.card_id,
            "url": public_url(f"/secure/{token}"), "expires_in": ttl}


# --- the page ------------------------------------------------------------------------------

def _gone(message: str, status_code: int = 410):
    return pages.message_page("Link not valid", "This link no longer works", message,
                              status_code=status_code, state="gone")


def _load(session: Session, token: str) -> SecureLink | str:
    """The usable link, or the reason it is not ('unknown' | 'used' | 'expired')."""
    if not 20 <= len(token) <= 100:
        return "unknown"
    link = session.execute(
        select(SecureLink).where(SecureLink.token_hash == token_hash(token)).with_for_update()
    ).scalar_one_or_none()
    if link is None:
        return "unknown"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= utcnow():
        return "expired"
    return link


def _refusal(reason: str):
    if reason == "unknown":
        return _gone("This secure link is not valid. Ask the assistant for a new one.", 404)
    if reason == "used":
        return _gone("This secure link was already used. Ask the assistant for a new one.")
    return _gone("This secure link has expired. Ask the assistant for a new one.")


def _form(link: SecureLink, card: Card | None, token: str, error: str | None = None,
          status_code: int = 200):
    link.nonce = pages.new_nonce()
    action = f"/secure/{token}"
    if link.purpose == "set_pin":
        body = pages.fragment("secure_pin", masked=card.masked if card else "", action=action,
                              nonce=link.nonce, error=pages.error_block(error))
    else:
        body = pages.fragment("secure_password", action=action, nonce=link.nonce,
                              error=pages.error_block(error))
    return pages.page(TITLES[link.purpose], body, status_code=status_code)


def _show(token: str):
    with session_scope() as session:
        link = _load(session, token)
        if isinstance(link, str):
            return _refusal(link)
        card = session.get(Card, link.card_id) if link.card_id else None
        if link.purpose != "card_details":
            return _form(link, card, token)
        if card is None or card.status == "blocked":
            link.used_at = utcnow()
            return _gone("This card is blocked.")
        link.used_at = utcnow()  # shown once
        pan = vault.reveal_pan(session, card.card_token)
        grouped = " ".join(pan[i:i + 4] for i in range(0, len(pan), 4))
        body = pages.fragment("secure_card", pan=grouped, expiry=card.expiry,
                              cvv=card_cvv(pan, card.expiry), holder=card.holder_name)
        return pages.page(TITLES["card_details"], body, state="details")


def _submit(token: str, form: dict[str, str]):
    with session_scope() as session:
        link = _load(session, token)
        if isinstance(link, str):
            return _refusal(link)
        if link.purpose == "card_details":
            return _gone("This link only shows card details.", 405)
        card = session.get(Card, link.card_id) if link.card_id else None
        if not link.nonce or not hmac.compare_digest(link.nonce, form.get("nonce", "")):
            return _form(link, card, token,
                         "The form has expired. Please fill it in again.", 400)
        if link.purpose == "set_pin":
            value = form.get("pin", "")
            problem = pin_problem(value, form.get("pin_confirm", ""))
        else:
            value = form.get("password", "")
            problem = password_problem(value, form.get("password_confirm", ""))
        if problem is None and card is not None and card.status == "blocked":
            problem = "This card is blocked."
        if problem:
            link.failed_attempts += 1
            if link.failed_attempts >= MAX_FORM_FAILURES:
                link.used_at = utcnow()
                return _gone("Too many attempts. Ask the assistant for a new link.")
            return _form(link, card, token, problem, 422)
        won = session.execute(
            update(SecureLink).where(SecureLink.id == link.id, SecureLink.used_at.is_(None))
            .values(used_at=utcnow())
        ).rowcount
        if not won:
            return _refusal("used")
        kind, owner = ("pin", card.id) if link.purpose == "set_pin" else \
            ("password", link.customer_id)
        credential = session.get(Credential, (owner, kind))
        if credential is None:
            session.add(Credential(owner_id=owner, kind=kind, secret_hash=hash_secret(value),
                                   updated_at=utcnow()))
        else:
            credential.secret_hash, credential.updated_at = hash_secret(value), utcnow()
        what = f"The PIN of card {card.masked}" if kind == "pin" else "Your password"
        return pages.message_page(TITLES[link.purpose], "Done", f"{what} has been set. "
                                  "You can close this page and return to the chat.",
                                  ok=True, state="done")


@router.get("/secure/{token}", include_in_schema=False)
async def secure_page(token: str):
    return await run_in_threadpool(_show, token)


@router.post("/secure/{token}", include_in_schema=False)
async def secure_submit(token: str, request: Request):
    raw = (await request.body())[:8192].decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    return await run_in_threadpool(_submit, token, form)
