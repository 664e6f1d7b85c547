"""The bank's secure page (/secure/<token>): shows card details once, or takes a new PIN or
password. Reached only through a one-time link (corebank/secure_pages/links.py)."""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import update

from corebank.core import html, vault
from corebank.core.db import session_scope, utcnow
from corebank.core.models import Card, Customer
from corebank.secure_pages.credentials import hash_secret, password_problem, pin_problem
from corebank.secure_pages.links import card_cvv, load
from corebank.secure_pages.models import Credential, SecureLink
from corebank.webhooks import outbox

router = APIRouter(tags=["secure pages"])
TEMPLATES = html.Templates(Path(__file__).resolve().parent / "templates")

MAX_FORM_FAILURES = 5
TITLES = {"card_details": "Card details", "set_pin": "Set PIN", "set_password": "Set password"}


def _gone(message: str, status_code: int = 410):
    return html.message_page("Link not valid", "This link no longer works", message,
                             status_code=status_code, state="gone")


def _refusal(reason: str):
    if reason == "unknown":
        return _gone("This secure link is not valid. Ask the assistant for a new one.", 404)
    if reason == "used":
        return _gone("This secure link was already used. Ask the assistant for a new one.")
    return _gone("This secure link has expired. Ask the assistant for a new one.")


def _form(link: SecureLink, card: Card | None, token: str, error: str | None = None,
          status_code: int = 200):
    link.nonce = html.new_nonce()
    action = f"/secure/{token}"
    if link.purpose == "set_pin":
        body = TEMPLATES.fragment("secure_pin", masked=card.masked if card else "",
                                  action=action, nonce=link.nonce,
                                  error=html.error_block(error))
    else:
        body = TEMPLATES.fragment("secure_password", action=action, nonce=link.nonce,
                                  error=html.error_block(error))
    return html.page(TITLES[link.purpose], body, status_code=status_code)


def _show(token: str):
    with session_scope() as session:
        link = load(session, token)
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
        body = TEMPLATES.fragment("secure_card", pan=grouped, expiry=card.expiry,
                                  cvv=card_cvv(pan, card.expiry), holder=card.holder_name)
        return html.page(TITLES["card_details"], body, state="details")


def _submit(token: str, form: dict[str, str]):
    with session_scope() as session:
        link = load(session, token)
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
            owner = session.get(Customer, link.customer_id)
            born = owner.date_of_birth if owner is not None else None
            problem = pin_problem(value, form.get("pin_confirm", ""),
                                  born.year if born is not None else None)
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
        if link.identity:  # the chat that sent the link is told (same transaction: outbox)
            data = {"masked_card": card.masked} if kind == "pin" else {}
            outbox.enqueue(session, f"{kind}.changed", link.identity, data)
        what = f"The PIN of card {card.masked}" if kind == "pin" else "Your password"
        return html.message_page(TITLES[link.purpose], "Done", f"{what} has been set. "
                                 "You can close this page and return to the chat.",
                                 ok=True, state="done")


@router.get("/secure/{token}", include_in_schema=False)
async def secure_page(token: str):
    return await run_in_threadpool(_show, token)


@router.post("/secure/{token}", include_in_schema=False)
async def secure_submit(token: str, request: Request):
    return await run_in_threadpool(_submit, token, await html.read_form(request))
