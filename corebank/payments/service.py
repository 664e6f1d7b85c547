"""Top-ups and payment requests: creating them, and the state they go through once paid on the
hosted page (corebank/payments/hosted_page.py) or abandoned (corebank/payments/sweep.py).

On success the card network's clearing account pays the customer's account, exactly once
(row lock + status check + a journal idempotency key per top-up/request), and an event for
the assistant goes into the webhook outbox in the same transaction. Every function runs in the
caller's transaction; none commits.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.core import ledger
from corebank.core.accounts import own_card, primary_account
from corebank.core.auth import CurrentCustomer
from corebank.core.db import iso, new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.http import public_url
from corebank.core.models import Account, Card
from corebank.core.money import fmt, parse_amount, parse_currency, to_decimal
from corebank.core.settings import get_settings
from corebank.payments.models import PaymentRequest, Topup
from corebank.webhooks import outbox

NOTE_MAX = 140


class Flow:
    """What differs between a top-up and a payment request on the shared page."""

    def __init__(self, model, kind: str, path: str, event: str, done_status: str):
        self.model, self.kind, self.path = model, kind, path
        self.event, self.done_status = event, done_status

    def open_status(self) -> str:
        return "pending" if self.model is Topup else "open"


TOPUP = Flow(Topup, "topup", "/pay/topups", "topup.succeeded", "succeeded")
REQUEST = Flow(PaymentRequest, "request", "/pay/requests", "payment_request.paid", "paid")


# --- creating them -------------------------------------------------------------------------

def _target(session: Session, me: CurrentCustomer, currency: str, card_id: object):
    """(account, card) that receives the money."""
    if card_id is not None:
        card = own_card(session, me.customer_id, card_id)
        if card.status == "blocked":
            raise BankError("card_blocked", "This card is blocked.")
        account = session.get(Account, card.account_id)
        if account.currency != currency:
            raise BankError("currency_mismatch", f"This card's account is in {account.currency}.",
                            422, field="currency")
        return account, card
    account = primary_account(session, me.customer_id, currency)
    if account is None:
        raise BankError("no_account", f"You have no {currency} account: get a card first.",
                        422, field="currency")
    return account, card_of(session, account.id)


def card_of(session: Session, account_id: str) -> Card | None:
    return session.execute(
        select(Card).where(Card.account_id == account_id, Card.status != "blocked")
        .order_by(Card.created_at).limit(1)
    ).scalar_one_or_none()


def new_topup(session: Session, me: CurrentCustomer, payload: dict) -> Topup:
    amount = parse_amount(payload.get("amount"))
    currency = parse_currency(payload.get("currency", "UAH"))
    account, card = _target(session, me, currency, payload.get("card_id"))
    now = utcnow()
    t = Topup(id=new_id("top_"), customer_id=me.customer_id, account_id=account.id,
              card_id=card.id if card else None, identity=me.identity, amount=amount,
              currency=currency, status="pending", stage="card", created_at=now,
              expires_at=now + timedelta(seconds=get_settings().topup_ttl_seconds))
    session.add(t)
    return t


def new_request(session: Session, me: CurrentCustomer, payload: dict) -> PaymentRequest:
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
                           seconds=get_settings().payment_request_ttl_seconds))
    session.add(r)
    return r


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


# --- paying, failing, expiring -------------------------------------------------------------

def _customer_card(session: Session, row) -> Card | None:
    card = session.get(Card, row.card_id) if row.card_id else None
    return card or card_of(session, row.account_id)


def _balance(session: Session, account_id: str) -> Decimal:
    return to_decimal(session.get(Account, account_id).balance)


def fail_topup(session: Session, t: Topup, reason: str) -> None:
    """Mark a pending top-up failed and tell the assistant (caller holds the row lock)."""
    t.status, t.failure_reason, t.completed_at = "failed", reason, utcnow()
    card = _customer_card(session, t)
    outbox.enqueue(session, "topup.failed", t.identity, {
        "topup_id": t.id, "amount": fmt(t.amount), "currency": t.currency,
        "masked_card": card.masked if card else None,
        "balance_after": fmt(_balance(session, t.account_id)), "reason": reason,
    })


def complete(session: Session, flow: Flow, row) -> None:
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
    outbox.enqueue(session, flow.event, row.identity, data)


def load(session: Session, flow: Flow, row_id: str):
    """The top-up or request, locked for update (None if the id is unknown or malformed)."""
    if not 4 <= len(row_id) <= 40:
        return None
    return session.execute(
        select(flow.model).where(flow.model.id == row_id).with_for_update()
    ).scalar_one_or_none()


def expire_if_due(session: Session, flow: Flow, row) -> bool:
    """Close an open row whose time is up; True if it did (and so an event may be due)."""
    if row.status == flow.open_status() and row.expires_at <= utcnow():
        if flow is TOPUP:
            fail_topup(session, row, "expired")
        else:
            row.status, row.failure_reason = "expired", "expired"
        return True
    return False
