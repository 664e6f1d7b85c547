"""Top-ups and payment requests: created over the API, paid on the bank's hosted page.

The page takes another bank's card (number, expiry, CVV) and then a 3-D Secure-style code.
On success the card network's clearing account pays the customer's account, exactly once
(row lock + status check + a journal idempotency key per top-up/request), and an event for
the assistant goes into the webhook outbox in the same transaction.
Nothing typed on the page is stored or shown back except the paying card's last 4 digits.
"""

from __future__ import annotations

import hmac
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from stdnum import luhn

from corebank import bins, ledger
from corebank.accounts import primary_account
from corebank.api.me import masked_name
from corebank.auth import CurrentCustomer, current_customer, require_scope
from corebank.db import get_session, iso, new_id, session_scope, utcnow
from corebank.errors import BankError
from corebank.features import pages, webhooks
from corebank.features.common import Idempotent, own_card, public_url
from corebank.features.models import PaymentRequest, Topup
from corebank.features.settings import feature_settings
from corebank.models import Account, Card, Customer
from corebank.money import fmt, parse_amount, parse_currency, to_decimal

api = APIRouter(prefix="/api/v1/me", tags=["top-ups and payment requests"])
router = APIRouter(tags=["hosted payment page"])

NOTE_MAX = 140


# --- API -----------------------------------------------------------------------------------

def _target(session: Session, me: CurrentCustomer, currency: str, card_id: object):
    """(account, card) that receives the money."""
    if card_id is not None:
        card = own_card(session, me.customer_id, card_id)
        if card.status == "blocked":
            raise BankError("card_blocked", "This card is blocked.")
        account = session.get(Account, card.account_id)
        if account.currency != currency:
            raise BankError("invalid_request", f"This card's account is in {account.currency}.",
                            422, field="currency")
        return account, card
    account = primary_account(session, me.customer_id, currency)
    if account is None:
        raise BankError("invalid_request", f"You have no {currency} account: get a card first.",
                        422, field="currency")
    return account, _card_of(session, account.id)


def _card_of(session: Session, account_id: str) -> Card | None:
    return session.execute(
        select(Card).where(Card.account_id == account_id, Card.status != "blocked")
        .order_by(Card.created_at).limit(1)
    ).scalar_one_or_none()


def topup_body(t: Topup) -> dict:
    return {
        "topup_id": t.id,
        "status": t.status,
        "amount": fmt(t.amount),
        "currency": t.currency,
        "payment_url": public_url(f"/pay/topups/{t.id}"),
        "expires_in": max(int((t.expires_at - utcnow()).total_seconds()), 0),
        "expires_at": iso(t.expires_at),
        "failure_reason": t.failure_reason,
        "completed_at": iso(t.completed_at),
    }


@api.post("/topups", status_code=201)
def create_topup(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    idem = Idempotent(session, idempotency_key, f"topups:{me.customer_id}", payload)
    if idem.replay:
        return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    amount = parse_amount(payload.get("amount"))
    currency = parse_currency(payload.get("currency", "UAH"))
    account, card = _target(session, me, currency, payload.get("card_id"))
    now = utcnow()
    t = Topup(id=new_id("top_"), customer_id=me.customer_id, account_id=account.id,
              card_id=card.id if card else None, identity=me.identity, amount=amount,
              currency=currency, status="pending", stage="card", created_at=now,
              expires_at=now + timedelta(seconds=feature_settings().topup_ttl_seconds))
    session.add(t)
    body = topup_body(t)
    idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@api.get("/topups/{topup_id}")
def get_topup(
    topup_id: str,
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    t = session.get(Topup, topup_id)
    if t is None or t.customer_id != me.customer_id:
        raise BankError("not_found", "No such top-up.")
    return topup_body(t)


def request_body(r: PaymentRequest) -> dict:
    return {
        "request_id": r.id,
        "status": r.status,
        "amount": fmt(r.amount),
        "currency": r.currency,
        "note": r.note,
        "url": public_url(f"/pay/requests/{r.id}"),
        "expires_in": max(int((r.expires_at - utcnow()).total_seconds()), 0),
        "expires_at": iso(r.expires_at),
        "paid_at": iso(r.completed_at),
    }


@api.post("/payment-requests", status_code=201)
def create_payment_request(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    idem = None
    if idempotency_key is not None:  # optional here: creating a request moves no money
        idem = Idempotent(session, idempotency_key, f"payreq:{me.customer_id}", payload)
        if idem.replay:
            return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    amount = parse_amount(payload.get("amount"))
    currency = parse_currency(payload.get("currency", "UAH"))
    note = payload.get("note")
    if note is not None and (not isinstance(note, str) or len(note.strip()) > NOTE_MAX):
        raise BankError("invalid_request", f"note must be text of at most {NOTE_MAX} "
                        "characters.", field="note")
    account, card = _target(session, me, currency, payload.get("card_id"))
    now = utcnow()
    r = PaymentRequest(id=new_id("prq_"), customer_id=me.customer_id, account_id=account.id,
                       card_id=card.id if card else None, identity=me.identity, amount=amount,
                       currency=currency, note=(note or "").strip() or None, status="open",
                       stage="card", created_at=now,
                       expires_at=now + timedelta(
                           seconds=feature_settings().payment_request_ttl_seconds))
    session.add(r)
    body = request_body(r)
    if idem:
        idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@api.get("/payment-requests/{request_id}")
def get_payment_request(
    request_id: str,
    _claims: dict = Depends(require_scope("payments")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> dict:
    r = session.get(PaymentRequest, request_id)
    if r is None or r.customer_id != me.customer_id:
        raise BankError("not_found", "No such payment request.")
    return request_body(r)


# --- the hosted page -----------------------------------------------------------------------

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


class Flow:
    """What differs between a top-up and a payment request on the shared page."""

    def __init__(self, model, kind: str, path: str, event: str, done_status: str):
        self.model, self.kind, self.path = model, kind, path
        self.event, self.done_status = event, done_status

    def open_status(self) -> str:
        return "pending" if self.model is Topup else "open"


TOPUP = Flow(Topup, "topup", "/pay/topups", "topup.succeeded", "succeeded")
REQUEST = Flow(PaymentRequest, "request", "/pay/requests", "payment_request.paid", "paid")


def _amount_text(row) -> tuple[str, str]:
    return fmt(row.amount), row.currency


def _card_form(flow: Flow, row, session: Session, error: str | None = None,
               status_code: int = 200):
    row.nonce, row.stage = pages.new_nonce(), "card"
    amount, currency = _amount_text(row)
    if flow is TOPUP:
        heading, description = "Top up your card", "Top-up of your Sandbox Bank card."
    else:
        requester = session.get(Customer, row.customer_id)
        who = masked_name(requester.first_name, requester.last_name)
        heading = f"{who} asks you for money"
        description = f"Note: {row.note}" if row.note else "Payment to a Sandbox Bank customer."
    body = pages.fragment("pay_card", heading=heading, description=description, amount=amount,
                          currency=currency, action=f"{flow.path}/{row.id}", nonce=row.nonce,
                          error=pages.error_block(error))
    return pages.page(heading, body, status_code=status_code, state="card")


def _code_form(flow: Flow, row, error: str | None = None, status_code: int = 200):
    row.nonce, row.stage = pages.new_nonce(), "3ds"
    amount, currency = _amount_text(row)
    body = pages.fragment("pay_3ds", amount=amount, currency=currency,
                          payer_masked=row.payer_masked or "", action=f"{flow.path}/{row.id}",
                          nonce=row.nonce, sandbox_code=feature_settings().threeds_code,
                          error=pages.error_block(error))
    return pages.page("Confirm the payment", body, status_code=status_code, state="3ds")


def _done_page(row):
    amount, currency = _amount_text(row)
    return pages.message_page("Payment done", "Payment successful",
                              f"{amount} {currency} has been paid. You can close this page.",
                              ok=True, state="done")


def _closed_page(flow: Flow, row):
    if row.status == flow.done_status:
        return pages.message_page("Already paid", "Already paid",
                                  "This payment has already been made. Nothing more was "
                                  "charged.", status_code=409, state="already_paid")
    if row.failure_reason == "expired" or row.status == "expired":
        return pages.message_page("Link expired", "This payment link has expired",
                                  "Ask for a new link in the chat.", status_code=410,
                                  state="expired")
    return pages.message_page("Payment failed", "Payment failed",
                              "This payment did not go through. Ask for a new link in the chat.",
                              status_code=410, state="failed")


def _customer_card(session: Session, row) -> Card | None:
    card = session.get(Card, row.card_id) if row.card_id else None
    return card or _card_of(session, row.account_id)


def _balance(session: Session, account_id: str) -> Decimal:
    return to_decimal(session.get(Account, account_id).balance)


def _fail_topup(session: Session, t: Topup, reason: str) -> None:
    """Mark a pending top-up failed and tell the assistant (caller holds the row lock)."""
    t.status, t.failure_reason, t.completed_at = "failed", reason, utcnow()
    card = _customer_card(session, t)
    webhooks.enqueue(session, "topup.failed", t.identity, {
        "topup_id": t.id, "amount": fmt(t.amount), "currency": t.currency,
        "masked_card": card.masked if card else None,
        "balance_after": fmt(_balance(session, t.account_id)), "reason": reason,
    })


def _complete(session: Session, flow: Flow, row) -> None:
    """Credit the customer from the card network's clearing account; exactly once."""
    amount = to_decimal(row.amount)
    network = ledger.system_account(session, "network", row.currency)
    label = "Top-up from card" if flow is TOPUP else "Payment request paid with card"
    journal = ledger.post_journal(
        session, [(network, -amount), (row.account_id, amount)], row.currency,
        f"{label} {row.payer_masked}", idempotency_key=f"{flow.kind}:{row.id}", kind=flow.kind)
    row.status, row.journal_id, row.completed_at = flow.done_status, journal.journal_id, utcnow()
    card = _customer_card(session, row)
    data = {"amount": fmt(amount), "currency": row.currency,
            "masked_card": card.masked if card else None,
            "balance_after": fmt(journal.balance_after(row.account_id))}
    data = {"topup_id": row.id, **data} if flow is TOPUP else {
        "request_id": row.id, "note": row.note, "payer_masked_card": row.payer_masked, **data}
    webhooks.enqueue(session, flow.event, row.identity, data)


def _load(session: Session, flow: Flow, row_id: str):
    if not 4 <= len(row_id) <= 40:
        return None
    return session.execute(
        select(flow.model).where(flow.model.id == row_id).with_for_update()
    ).scalar_one_or_none()


def _expire_if_due(session: Session, flow: Flow, row) -> bool:
    if row.status == flow.open_status() and row.expires_at <= utcnow():
        if flow is TOPUP:
            _fail_topup(session, row, "expired")
        else:
            row.status, row.failure_reason = "expired", "expired"
        return True
    return False


def _not_found():
    return pages.message_page("Not found", "Payment not found",
                              "This payment link is not valid.", status_code=404,
                              state="not_found")


def show(flow: Flow, row_id: str):
    with session_scope() as session:
        row = _load(session, flow, row_id)
        if row is None:
            return _not_found()
        _expire_if_due(session, flow, row)
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
            row = _load(session, flow, row_id)
            if row is None:
                return _not_found()
            notify = _expire_if_due(session, flow, row)
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
            if hmac.compare_digest(code.encode(), feature_settings().threeds_code.encode()):
                _complete(session, flow, row)
                notify = True
                return _done_page(row)
            if flow is TOPUP:  # the issuer declined: this top-up is over
                _fail_topup(session, row, "3ds_failed")
                notify = True
                return pages.message_page(
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
            webhooks.wake()


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body())[:8192].decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


@router.get("/pay/topups/{topup_id}", include_in_schema=False)
async def topup_page(topup_id: str):
    return await run_in_threadpool(show, TOPUP, topup_id)


@router.post("/pay/topups/{topup_id}", include_in_schema=False)
async def topup_submit(topup_id: str, request: Request):
    return await run_in_threadpool(submit, TOPUP, topup_id, await _form(request))


@router.get("/pay/requests/{request_id}", include_in_schema=False)
async def request_page(request_id: str):
    return await run_in_threadpool(show, REQUEST, request_id)


@router.post("/pay/requests/{request_id}", include_in_schema=False)
async def request_submit(request_id: str, request: Request):
    return await run_in_threadpool(submit, REQUEST, request_id, await _form(request))


# --- sweep ---------------------------------------------------------------------------------

def sweep_expired(limit: int = 100) -> int:
    """Fail abandoned top-ups (with a topup.failed event) and expire old payment requests."""
    now = utcnow()
    count = 0
    with session_scope() as session:
        ids = session.execute(
            select(Topup.id).where(Topup.status == "pending", Topup.expires_at <= now)
            .limit(limit)
        ).scalars().all()
        for topup_id in ids:
            t = _load(session, TOPUP, topup_id)
            if t is not None and t.status == "pending":
                _fail_topup(session, t, "expired")
                count += 1
        count += session.execute(
            update(PaymentRequest)
            .where(PaymentRequest.status == "open", PaymentRequest.expires_at <= now)
            .values(status="expired", failure_reason="expired")
        ).rowcount or 0
    if count:
        webhooks.wake()
    return count
