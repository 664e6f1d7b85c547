"""Partner offers: the catalog, eligibility, the promo codes a partner issued (remembered once
per customer and offer), and purchases at partners with the cashback they earn (once).
Every function runs in the caller's transaction; none commits."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corebank.core import accounts, ledger
from corebank.core.db import iso, new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.models import Card, Customer
from corebank.core.money import fmt, parse_amount, to_decimal
from corebank.partners.catalog import OFFERS, OFFERS_BY_ID, PARTNERS_BY_ID, Offer, offer_body
from corebank.partners.models import CashbackCredit, IssuedPromoCode, PartnerPurchase
from corebank.referrals import service as referrals


def customer_ref(customer_id: str, partner_id: str) -> str:
    """How a partner knows the customer: pseudonymous, stable, different per partner."""
    return hashlib.sha256(f"{partner_id}:{customer_id}".encode()).hexdigest()[:24]


def pct(value: Decimal) -> str:
    """10.00 -> "10", 2.50 -> "2.5"."""
    return format(value.normalize(), "f")


def catalog(now: datetime, partner_id: str | None = None) -> list[dict]:
    return [offer_body(o, now) for o in OFFERS if partner_id in (None, o.partner_id)]


def get_offer(offer_id: str) -> Offer:
    offer = OFFERS_BY_ID.get(offer_id)
    if offer is None:
        raise BankError("not_found", "No such partner offer.", offer_id=offer_id)
    return offer


def _card_tiers(session: Session, customer_id: str) -> set[str]:
    return set(session.execute(
        select(Card.tariff).where(Card.customer_id == customer_id, Card.status == "active")
    ).scalars())


def eligibility(session: Session, customer_id: str, offer: Offer, now: datetime) -> str | None:
    """None when eligible, else the reason: ended | not_started | card_required |
    tariff_required."""
    if now > offer.ends_at:
        return "ended"
    if now < offer.starts_at:
        return "not_started"
    tiers = _card_tiers(session, customer_id)
    if not tiers:
        return "card_required"
    if offer.eligibility == "tariff" and "tariff" not in tiers:
        return "tariff_required"
    return None


def promo_body(row: IssuedPromoCode | None) -> dict | None:
    if row is None:
        return None
    return {"code": row.code, "partner_ref": row.partner_ref, "issued_at": iso(row.created_at)}


def _issued(session: Session, customer_id: str, offer_id: str) -> IssuedPromoCode | None:
    return session.execute(
        select(IssuedPromoCode).where(IssuedPromoCode.customer_id == customer_id,
                                      IssuedPromoCode.offer_id == offer_id)
    ).scalar_one_or_none()


def offer_status(session: Session, customer_id: str, offer_id: str) -> dict:
    offer = get_offer(offer_id)
    now = utcnow()
    reason = eligibility(session, customer_id, offer, now)
    return {**offer_body(offer, now), "eligible": reason is None, "reason": reason,
            "customer_ref": customer_ref(customer_id, offer.partner_id),
            "promo_code": promo_body(_issued(session, customer_id, offer_id))}


def record_promo_code(session: Session, customer_id: str, offer_id: str, code: str,
                      partner_ref: str | None) -> tuple[dict, bool]:
    """Remember the partner's code; (promo, created). A second code for the same pair is
    never stored: the first one is returned."""
    offer = get_offer(offer_id)
    if offer.kind != "promo_code":
        raise BankError("no_promo_code", "This offer has no promo code.", 409,
                        offer_id=offer_id)
    if not isinstance(code, str) or not 3 <= len(code.strip()) <= 64:
        raise BankError("invalid_request", "code must be 3-64 characters.", field="code")
    reason = eligibility(session, customer_id, offer, utcnow())
    if reason:
        raise BankError("forbidden", "The customer is not eligible for this offer.",
                        reason=reason)
    existing = _issued(session, customer_id, offer_id)
    if existing is not None:
        return promo_body(existing), False
    row = IssuedPromoCode(id=new_id("prm_"), customer_id=customer_id, offer_id=offer_id,
                          partner_id=offer.partner_id, code=code.strip(),
                          partner_ref=(partner_ref or None) and str(partner_ref)[:64],
                          created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return promo_body(_issued(session, customer_id, offer_id)), False
    return promo_body(row), True


# --- purchases and cashback ------------------------------------------------------------------

def cashback_percent(session: Session, customer_id: str, partner_id: str,
                     now: datetime) -> tuple[Decimal, str | None]:
    """The best active cashback offer the customer is eligible for at the partner, plus any
    welcome boost there; (percent, offer_id)."""
    best, best_id = Decimal("0"), None
    for offer in OFFERS:
        if offer.partner_id != partner_id or offer.kind != "cashback" or offer.percent is None:
            continue
        if eligibility(session, customer_id, offer, now) is None and offer.percent > best:
            best, best_id = offer.percent, offer.id
    boost = referrals.boost_for(session, customer_id, partner_id, now)
    if boost and _card_tiers(session, customer_id):
        best, best_id = best + boost, best_id or "welcome_boost"
    return best, best_id


def purchase(session: Session, phone: str, partner_id: str, amount_text: str,
             key: str) -> dict:
    """A card purchase at a partner (sandbox): the customer pays the partner (a ledger journal
    marked with the partner) and earns the cashback once. Repeating `key` changes nothing."""
    partner = PARTNERS_BY_ID.get(partner_id)
    if partner is None:
        raise BankError("not_found", "No such partner.", partner_id=partner_id)
    amount = parse_amount(amount_text)
    customer = session.execute(select(Customer).where(Customer.phone == phone)).scalar_one_or_none()
    if customer is None:
        raise BankError("not_found", "No customer with this phone.")
    account = accounts.primary_account(session, customer.id, "UAH")
    if account is None:
        raise BankError("not_found", "The customer has no UAH account.")
    network = ledger.system_account(session, "network", "UAH")
    paid = ledger.transfer(session, account.id, network, amount, "UAH",
                           f"Purchase at {partner.name}", kind="card_purchase",
                           idempotency_key=f"purchase:{key}")
    existing = session.get(PartnerPurchase, paid.journal_id)
    if existing is None:
        session.add(PartnerPurchase(journal_id=paid.journal_id, partner_id=partner.id,
                                    customer_id=customer.id, account_id=account.id,
                                    amount=amount, created_at=utcnow()))
        session.flush()
    credit = session.get(CashbackCredit, paid.journal_id)
    if credit is None:
        percent, offer_id = cashback_percent(session, customer.id, partner.id, utcnow())
        back = (amount * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        if back > 0:
            settlement = ledger.system_account(session, "settlement", "UAH")
            journal = ledger.transfer(session, settlement, account.id, back, "UAH",
                                      f"Cashback {pct(percent)}% at {partner.name}",
                                      kind="cashback",
                                      idempotency_key=f"cashback:{paid.journal_id}")
            credit = CashbackCredit(purchase_journal_id=paid.journal_id, customer_id=customer.id,
                                    offer_id=offer_id, percent=percent, amount=back,
                                    journal_id=journal.journal_id, created_at=utcnow())
            session.add(credit)
            session.flush()
    return {
        "purchase_journal_id": paid.journal_id,
        "partner_id": partner.id,
        "amount": fmt(amount),
        "currency": "UAH",
        "cashback": fmt(to_decimal(credit.amount)) if credit else "0.00",
        "cashback_percent": pct(to_decimal(credit.percent)) if credit else "0",
        "replayed": paid.replayed,
    }


def cashback_summary(session: Session, customer_id: str) -> dict:
    total, count = session.execute(
        select(func.coalesce(func.sum(CashbackCredit.amount), 0), func.count())
        .where(CashbackCredit.customer_id == customer_id)
    ).one()
    return {"total": fmt(Decimal(str(total))), "credits": count, "currency": "UAH"}
