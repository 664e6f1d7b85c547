"""The bank's hosted payment page of top-ups and payment requests (/pay/...).

The page takes another bank's card (number, expiry, CVV) and then a 3-D Secure-style code.
Nothing typed on the page is stored or shown back except the paying card's last 4 digits.
Each step renders a form with a fresh nonce; a post must echo it (a stale or forged form
changes nothing).
"""

from __future__ import annotations

import hmac
import re
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from stdnum import luhn

from corebank.core import bins, html
from corebank.core.accounts import masked_name
from corebank.core.db import session_scope, utcnow
from corebank.core.models import Customer
from corebank.core.money import fmt
from corebank.core.settings import get_settings
from corebank.payments.service import (
    REQUEST,
    TOPUP,
    Flow,
    complete,
    expire_if_due,
    fail_topup,
    load,
)
from corebank.webhooks import outbox

router = APIRouter(tags=["hosted payment page"])
TEMPLATES = html.Templates(Path(__file__).resolve().parent / "templates")

EXPIRY_RE = re.compile(r"^(\d{1,2})\s*/\s*(\d{2}|\d{4})$")


def card_problem(number: str, expiry: str, cvv: str, today: date) -> tuple[str | None, str]:
    """(error message or None, masked paying card)."""
    digits = re.sub(r"[\s\-]", "", number or "")
    if not digits.isdigit() or not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return "The card number is not valid. Please check it.", ""
    if bins.is_own(digits):
        return ("This page takes cards of other banks. To move money between Sandbox Bank "
                "cards, send it by card number in the chat."), ""
    match = EXPIRY_RE.match((expiry or "").strip())
    if not match or not 1 <= int(match.group(1)) <= 12:
        return "The expiry date must look like MM/YY.", ""
    year = int(match.group(2)) % 100 + 2000
    if (year, int(match.group(1))) < (today.year, today.month):
        return "This card has expired.", ""
    if not re.fullmatch(r"\d{3,4}", (cvv or "").strip()):
        return "The CVV is the 3 digits on the back of the card.", ""
    return None, f"•••• {digits[-4:]}"


# --- what the page shows -------------------------------------------------------------------

def _amount_text(row) -> tuple[str, str]:
    return fmt(row.amount), row.currency


def _card_form(flow: Flow, row, session: Session, error: str | None = None,
               status_code: int = 200):
    row.nonce, row.stage = html.new_nonce(), "card"
    amount, currency = _amount_text(row)
    if flow is TOPUP:
        heading, description = "Top up your card", "Top-up of your Sandbox Bank card."
    else:
        requester = session.get(Customer, row.customer_id)
        who = masked_name(requester.first_name, requester.last_name)
        heading = f"{who} asks you for money"
        description = f"Note: {row.note}" if row.note else "Payment to a Sandbox Bank customer."
    body = TEMPLATES.fragment("pay_card", heading=heading, description=description,
                              amount=amount, currency=currency, action=f"{flow.path}/{row.id}",
                              nonce=row.nonce, error=html.error_block(error))
    return html.page(heading, body, status_code=status_code, state="card")


def _code_form(flow: Flow, row, error: str | None = None, status_code: int = 200):
    row.nonce, row.stage = html.new_nonce(), "3ds"
    amount, currency = _amount_text(row)
    body = TEMPLATES.fragment("pay_3ds", amount=amount, currency=currency,
                              payer_masked=row.payer_masked or "",
                              action=f"{flow.path}/{row.id}", nonce=row.nonce,
                              sandbox_code=get_settings().threeds_code,
                              error=html.error_block(error))
    return html.page("Confirm the payment", body, status_code=status_code, state="3ds")


def _done_page(row):
    amount, currency = _amount_text(row)
    return html.message_page("Payment done", "Payment successful",
                             f"{amount} {currency} has been paid. You can close this page.",
                             ok=True, state="done")


def _closed_page(flow: Flow, row):
    if row.status == flow.done_status:
        return html.message_page("Already paid", "Already paid",
                                 "This payment has already been made. Nothing more was "
                                 "charged.", status_code=409, state="already_paid")
    if row.failure_reason == "expired" or row.status == "expired":
        return html.message_page("Link expired", "This payment link has expired",
                                 "Ask for a new link in the chat.", status_code=410,
                                 state="expired")
    return html.message_page("Payment failed", "Payment failed",
                             "This payment did not go through. Ask for a new link in the chat.",
                             status_code=410, state="failed")


def _not_found():
    return html.message_page("Not found", "Payment not found",
                             "This payment link is not valid.", status_code=404,
                             state="not_found")


# --- the state machine: card -> 3ds -> done (or failed / expired) ----------------------------

def show(flow: Flow, row_id: str):
    with session_scope() as session:
        row = load(session, flow, row_id)
        if row is None:
            return _not_found()
        expire_if_due(session, flow, row)
        if row.status != flow.open_status():
            return _closed_page(flow, row)
        if row.stage == "3ds":
            return _code_form(flow, row)
        return _card_form(flow, row, session)
    # session_scope commits the new nonce / expiry on the way out


def submit(flow: Flow, row_id: str, form: dict[str, str]):
    notify = False
    try:
        with session_scope() as session:
            row = load(session, flow, row_id)
            if row is None:
                return _not_found()
            notify = expire_if_due(session, flow, row)
            if row.status != flow.open_status():
                return _closed_page(flow, row)
            if not row.nonce or not hmac.compare_digest(row.nonce, form.get("nonce", "")):
                # A stale or forged form: show the current step again, change nothing.
                message = "The page was out of date. Please try again."
                if row.stage == "3ds":
                    return _code_form(flow, row, message, 400)
                return _card_form(flow, row, session, message, 400)
            if row.stage == "card":
                problem, masked = card_problem(form.get("card_number", ""),
                                               form.get("expiry", ""), form.get("cvv", ""),
                                               utcnow().date())
                if problem:
                    return _card_form(flow, row, session, problem, 422)
                row.payer_masked = masked
                return _code_form(flow, row)
            code = (form.get("code") or "").strip()
            if hmac.compare_digest(code.encode(), get_settings().threeds_code.encode()):
                complete(session, flow, row)
                notify = True
                return _done_page(row)
            if flow is TOPUP:  # the issuer declined: this top-up is over
                fail_topup(session, row, "3ds_failed")
                notify = True
                return html.message_page(
                    "Payment failed", "Payment declined",
                    "The confirmation code was wrong, so the card issuer declined the payment. "
                    "Nothing was charged. Ask for a new top-up link in the chat.",
                    status_code=402, state="failed")
            # A friend paying a request may simply try again with a card.
            row.payer_masked = None
            return _card_form(flow, row, session,
                              "The confirmation code was wrong; nothing was charged. "
                              "Please try again.", 402)
    finally:
        if notify:
            outbox.wake()


@router.get("/pay/topups/{topup_id}", include_in_schema=False)
async def topup_page(topup_id: str):
    return await run_in_threadpool(show, TOPUP, topup_id)


@router.post("/pay/topups/{topup_id}", include_in_schema=False)
async def topup_submit(topup_id: str, request: Request):
    return await run_in_threadpool(submit, TOPUP, topup_id, await html.read_form(request))


@router.get("/pay/requests/{request_id}", include_in_schema=False)
async def request_page(request_id: str):
    return await run_in_threadpool(show, REQUEST, request_id)


@router.post("/pay/requests/{request_id}", include_in_schema=False)
async def request_submit(request_id: str, request: Request):
    return await run_in_threadpool(submit, REQUEST, request_id, await html.read_form(request))
