"""Card-to-card transfers: a quote (fee, route, recipient's masked name), then the transfer.

Own-bank cards: instant, sender account -> recipient account, no fee.
Other banks' cards: through the card network: sender -> network clearing (amount) + fee income.
A transfer needs a step-up token bound to the quote id (`step_up_reason`) when
- its amount is above STEP_UP_THRESHOLD (`amount`), or
- today's running total with it would pass STEP_UP_DAILY_THRESHOLD (`daily_total`), so a
  hijacked session cannot send just-under-the-threshold amounts again and again, or
- the customer has never sent money to this card before (`new_recipient`;
  STEP_UP_NEW_RECIPIENT=false turns this rule off).
The rules are checked again at execution, under the sender's lock (concurrent quotes).
Every function runs in the caller's transaction; none commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corebank.core import ledger, vault
from corebank.core.accounts import masked_name, primary_account
from corebank.core.auth import consume_step_up
from corebank.core.db import iso, new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.models import Account, Card, Customer
from corebank.core.money import CENT, fmt, parse_amount, parse_currency, to_decimal
from corebank.core.otp import StepUpTerms, step_up_purpose
from corebank.core.settings import get_settings
from corebank.transfers.models import Transfer, TransferQuote

ZERO = Decimal("0.00")


def network_fee(amount: Decimal) -> Decimal:
    s = get_settings()
    fee = (amount * s.network_fee_percent / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    return max(fee, s.network_fee_min)


def _day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def sent_today(session: Session, customer_id: str, now: datetime) -> Decimal:
    total = session.execute(
        select(func.coalesce(func.sum(Transfer.amount), 0))
        .where(Transfer.customer_id == customer_id, Transfer.created_at >= _day_start(now))
    ).scalar_one()
    return to_decimal(total)


def known_recipient(session: Session, customer_id: str, card_token: str) -> bool:
    return session.execute(
        select(Transfer.id).where(Transfer.customer_id == customer_id,
                                  Transfer.to_card_token == card_token,
                                  Transfer.status == "completed").limit(1)
    ).first() is not None


def step_up_reason(session: Session, customer_id: str, card_token: str, amount: Decimal,
                   now: datetime) -> str | None:
    """Why this transfer needs a one-time code, or None."""
    s = get_settings()
    if amount > s.step_up_threshold:
        return "amount"
    if sent_today(session, customer_id, now) + amount > s.step_up_daily_threshold:
        return "daily_total"
    if s.step_up_new_recipient and not known_recipient(session, customer_id, card_token):
        return "new_recipient"
    return None


def check_limits(session: Session, customer_id: str, amount: Decimal, now: datetime) -> Decimal:
    """Raises limit_exceeded; returns what is left of today's limit before this transfer."""
    s = get_settings()
    remaining = max(s.daily_transfer_limit - sent_today(session, customer_id, now), ZERO)
    if amount > s.per_transfer_limit:
        raise BankError("limit_exceeded",
                        f"One transfer can be at most {fmt(s.per_transfer_limit)}.",
                        limit="per_transfer", per_transfer=fmt(s.per_transfer_limit),
                        daily_remaining=fmt(remaining))
    if amount > remaining:
        raise BankError("limit_exceeded",
                        f"Today you can send {fmt(remaining)} more.",
                        limit="daily", per_transfer=fmt(s.per_transfer_limit),
                        daily_remaining=fmt(remaining))
    return remaining


def _recipient_card(session: Session, vault_card) -> Card:
    card = session.execute(
        select(Card).where(Card.card_token == vault_card.card_token)
    ).scalar_one_or_none()
    if card is None:
        raise BankError("card_not_found", "There is no card with this number in our bank.")
    if card.status != "active":
        raise BankError("card_blocked", "The recipient's card is blocked; it cannot receive "
                        "money.", card_status=card.status)
    return card


def _available(account: Account) -> Decimal:
    return to_decimal(account.balance) + to_decimal(account.credit_limit)


def quote_body(q: TransferQuote, remaining: Decimal) -> dict:
    return {
        "quote_id": q.id,
        "amount": fmt(q.amount),
        "fee": fmt(q.fee),
        "total": fmt(to_decimal(q.amount) + to_decimal(q.fee)),
        "currency": q.currency,
        "route": q.route,
        "recipient_masked": q.recipient_masked,
        "recipient_masked_name": q.recipient_masked_name,
        "recipient_bank": None if q.route == "own" else "other bank",
        "requires_step_up": bool(q.requires_step_up),
        "step_up_reason": getattr(q, "step_up_reason", None),
        "expires_at": iso(q.expires_at),
        "expires_in": get_settings().quote_ttl_seconds,
        "limits": {"per_transfer": fmt(get_settings().per_transfer_limit),
                   "daily_remaining": fmt(remaining)},
    }


def transfer_body(t: Transfer) -> dict:
    return {
        "transfer_id": t.id,
        "status": t.status,
        "amount": fmt(t.amount),
        "fee": fmt(t.fee),
        "total": fmt(to_decimal(t.amount) + to_decimal(t.fee)),
        "currency": t.currency,
        "route": t.route,
        "recipient_masked": t.recipient_masked,
        "balance_after": fmt(t.balance_after),
        "receipt_no": t.receipt_no,
        "journal_id": t.journal_id,
        "at": iso(t.created_at),
    }


def make_quote(session: Session, customer_id: str, payload: dict) -> tuple[TransferQuote, Decimal]:
    """A quote for sending `amount` to the card behind `to_card_token`; (quote, what is left of
    today's limit)."""
    amount = parse_amount(payload.get("amount"))
    currency = parse_currency(payload.get("currency", "UAH"))
    token = payload.get("to_card_token")
    if not isinstance(token, str) or not token.startswith("ctok_"):
        raise BankError("invalid_request", "to_card_token must be a ctok_ card token.",
                        field="to_card_token")
    if token == "ctok_unavailable":
        raise BankError("card_not_found", "The card number was not captured; please send it "
                        "again.")
    account = primary_account(session, customer_id, currency)
    if account is None:
        raise BankError("no_account", f"You have no {currency} account to send from.",
                        422, field="currency")
    ledger.refuse_if_frozen(session, account.id)  # said at the quote, before any confirmation
    vault_card = vault.get_card(session, token)
    now = utcnow()
    if vault_card.issuer == "own":
        card = _recipient_card(session, vault_card)
        if card.customer_id == customer_id:
            raise BankError("own_card", "This is your own card: pick another recipient.")
        recipient = session.get(Customer, card.customer_id)
        route, fee, to_card_id = "own", ZERO, card.id
        recipient_account = session.get(Account, card.account_id)
        if recipient_account.currency != currency:
            raise BankError("currency_mismatch",
                            f"The recipient's card is in {recipient_account.currency}.", 422,
                            field="currency")
        name = masked_name(recipient.first_name, recipient.last_name)
    else:
        route, fee, to_card_id, name = "network", network_fee(amount), None, None
    remaining = check_limits(session, customer_id, amount, now)
    reason = step_up_reason(session, customer_id, token, amount, now)
    if amount + fee > _available(account):
        raise BankError("insufficient_funds", "Not enough money for this transfer.",
                        available=fmt(_available(account)), total=fmt(amount + fee))
    q = TransferQuote(
        id=new_id("qte_"), customer_id=customer_id, from_account_id=account.id,
        to_card_token=token, to_card_id=to_card_id, route=route, amount=amount, fee=fee,
        currency=currency, recipient_masked=vault.masked(vault_card.last4),
        recipient_masked_name=name,
        requires_step_up=int(reason is not None),
        expires_at=now + timedelta(seconds=get_settings().quote_ttl_seconds),
        created_at=now,
    )
    session.add(q)
    q.step_up_reason = reason  # not a column: reported in the quote body
    return q, remaining


@step_up_purpose("transfer")
def transfer_step_up(session: Session, customer_id: str, reference: str,
                     _body: dict) -> StepUpTerms:
    """A step-up code for a transfer is bound to its quote: the SMS says how much, to whom."""
    q = session.execute(
        select(TransferQuote).where(TransferQuote.id == reference,
                                    TransferQuote.customer_id == customer_id)
    ).scalar_one_or_none()
    if q is None:
        raise BankError("not_found", "No such quote.", field="reference")
    total = to_decimal(q.amount) + to_decimal(q.fee)
    return StepUpTerms(confirms=f"a transfer of {fmt(total)} {q.currency} to {q.recipient_masked}",
                       amount=fmt(total), target=q.recipient_masked)


def execute(session: Session, customer_id: str, payload: dict) -> Transfer:
    """Spend a quote (once, before it expires, with a step-up token when it needs one)."""
    quote_id = payload.get("quote_id")
    q = session.execute(
        select(TransferQuote).where(TransferQuote.id == quote_id,
                                    TransferQuote.customer_id == customer_id)
        .with_for_update()
    ).scalar_one_or_none() if isinstance(quote_id, str) else None
    if q is None:
        raise BankError("not_found", "No such quote.", field="quote_id")
    if q.used_at is not None:
        raise BankError("invalid_request", "This quote was already used; make a new one.", 409,
                        reason="quote_used")
    now = utcnow()
    if q.expires_at <= now:
        raise BankError("invalid_request", "The quote has expired; make a new one.", 409,
                        reason="quote_expired")
    amount, fee = to_decimal(q.amount), to_decimal(q.fee)
    # Re-check the limits under the sender's account lock: concurrent quotes may race (two
    # quotes of 400 each, made before either was sent, must not both skip the step-up).
    ledger.lock_accounts(session, [q.from_account_id])
    check_limits(session, customer_id, amount, now)
    if q.requires_step_up or step_up_reason(session, customer_id, q.to_card_token, amount, now):
        consume_step_up(session, customer_id, payload.get("step_up_token"), q.id, "transfer",
                        amount=amount + fee, target=q.recipient_masked)
    if q.route == "own":  # the recipient may have been blocked since the quote
        recipient_card = session.get(Card, q.to_card_id)
        if recipient_card is None or recipient_card.status != "active":
            raise BankError("card_blocked", "The recipient's card is blocked.")
        postings = [(q.from_account_id, -amount), (recipient_card.account_id, amount)]
        description = f"Transfer to {q.recipient_masked}"
    else:
        network = ledger.system_account(session, "network", q.currency)
        postings = [(q.from_account_id, -(amount + fee)), (network, amount)]
        if fee > 0:
            postings.append((ledger.system_account(session, "fees", q.currency), fee))
        description = f"Transfer to {q.recipient_masked} (other bank)"
    journal = ledger.post_journal(session, postings, q.currency, description,
                                  idempotency_key=f"transfer:{q.id}", kind="transfer")
    q.used_at = now
    t = Transfer(
        id=new_id("trf_"), quote_id=q.id, customer_id=customer_id,
        from_account_id=q.from_account_id, to_card_token=q.to_card_token, route=q.route,
        amount=amount, fee=fee, currency=q.currency, recipient_masked=q.recipient_masked,
        journal_id=journal.journal_id, receipt_no=new_id("R", 10).upper(), status="completed",
        balance_after=journal.balance_after(q.from_account_id), created_at=now,
    )
    session.add(t)
    return t
