"""The two referral programmes: invite a friend (the inviter's reward) and the newcomer's
welcome reward (invitation or partner campaign).

- `my_code`: the customer's live invitation code (a new one when none is live).
- `attribute`: a newcomer (a chat, and the customer once logged in) is attributed to the
  code's owner or campaign. Outcomes are data (`status`), never half-done: attributed,
  already (the same inviter again), already_invited (someone else first), own_code,
  not_new (already has a card), unknown_code, expired_code.
- `on_card_issued`: in the card issue's own transaction, the newcomer's FIRST card settles
  the attribution exactly once: the inviter's reward (ledger journal keyed by the
  attribution, under a lock on the inviter, within the monthly cap) and the newcomer's welcome
  reward (one row per customer). Self-referral (same customer, same phone) is rejected.
Every function runs in the caller's transaction; none commits.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corebank.core import accounts, ledger
from corebank.core.db import iso, new_id, utcnow
from corebank.core.models import Card, Customer, MessengerSession
from corebank.core.money import fmt
from corebank.partners.catalog import CAMPAIGNS_BY_ID, PARTNERS_BY_ID
from corebank.referrals.models import Attribution, ReferralCode, WelcomeReward
from corebank.webhooks import outbox

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CAMPAIGN_PREFIX = "PC_"


def _money_env(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name) or default).quantize(Decimal("0.01"))


def reward_amount() -> Decimal:
    return _money_env("REFERRAL_REWARD", "100.00")


def monthly_cap() -> Decimal:
    return _money_env("REFERRAL_MONTHLY_CAP", "500.00")


def welcome_bonus() -> Decimal:
    return _money_env("REFERRAL_WELCOME_BONUS", "50.00")


def code_valid_days() -> int:
    return int(os.environ.get("REFERRAL_CODE_VALID_DAYS") or "90")


def normalise_code(text: str) -> str:
    return "".join(ch for ch in str(text).strip().upper() if ch.isalnum() or ch == "_")[:24]


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# --- the inviter's side ----------------------------------------------------------------------

def my_code(session: Session, customer_id: str) -> ReferralCode:
    now = utcnow()
    live = session.execute(
        select(ReferralCode).where(ReferralCode.customer_id == customer_id,
                                   ReferralCode.expires_at > now)
        .order_by(ReferralCode.expires_at.desc()).limit(1)
    ).scalar_one_or_none()
    if live is not None:
        return live
    # INV + 4 letters/digits + 2 digits: always a digit, so no word ("invented") looks like one
    tail = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) + "".join(
        secrets.choice("23456789") for _ in range(2))
    code = ReferralCode(code="INV" + tail,
                        customer_id=customer_id, created_at=now,
                        expires_at=now + timedelta(days=code_valid_days()))
    session.add(code)
    session.flush()
    return code


def stats(session: Session, customer_id: str) -> dict:
    rows = session.execute(
        select(Attribution.status, func.count(),
               func.coalesce(func.sum(Attribution.reward_amount), 0))
        .where(Attribution.inviter_id == customer_id, Attribution.kind == "referral")
        .group_by(Attribution.status)
    ).all()
    by = {status: (count, Decimal(str(total))) for status, count, total in rows}
    now = utcnow()
    month = session.execute(
        select(func.coalesce(func.sum(Attribution.reward_amount), 0))
        .where(Attribution.inviter_id == customer_id, Attribution.status == "rewarded",
               Attribution.rewarded_at >= month_start(now))
    ).scalar_one()
    joined = by.get("rewarded", (0, 0))[0] + by.get("capped", (0, 0))[0]
    return {
        "invited": joined + by.get("pending", (0, 0))[0],
        "joined": joined,
        "pending": by.get("pending", (0, 0))[0],
        "rewarded": by.get("rewarded", (0, 0))[0],
        "capped": by.get("capped", (0, 0))[0],
        "earned": fmt(by.get("rewarded", (0, Decimal(0)))[1]),
        "earned_this_month": fmt(Decimal(str(month))),
        "currency": "UAH",
        "reward": fmt(reward_amount()),
        "monthly_cap": fmt(monthly_cap()),
        "welcome_bonus": fmt(welcome_bonus()),
    }


def referral_body(session: Session, customer_id: str) -> dict:
    code = my_code(session, customer_id)
    return {"code": code.code, "expires_at": iso(code.expires_at), **stats(session, customer_id)}


# --- the newcomer's side ---------------------------------------------------------------------

def _has_card(session: Session, customer_id: str) -> bool:
    return session.execute(
        select(Card.id).where(Card.customer_id == customer_id).limit(1)
    ).first() is not None


def _existing(session: Session, identity: str, customer_id: str | None) -> Attribution | None:
    cond = Attribution.newcomer_identity == identity
    if customer_id:
        cond = or_(cond, Attribution.newcomer_customer_id == customer_id)
    return session.execute(select(Attribution).where(cond).limit(1)).scalar_one_or_none()


def _inviter_name(session: Session, customer_id: str | None) -> str | None:
    if not customer_id:
        return None
    customer = session.get(Customer, customer_id)
    return customer.first_name if customer else None


def attribute(session: Session, identity: str, code_text: str, source: str,
              customer_id: str | None = None) -> dict:
    """Attribute the newcomer chat `identity` (and `customer_id` when logged in)."""
    source = source if source in ("link", "code") else "code"
    code = normalise_code(code_text)
    now = utcnow()
    kind, inviter_id, campaign = "referral", None, None
    welcome = {"kind": "bonus", "amount": fmt(welcome_bonus()), "currency": "UAH"}
    if code.startswith(CAMPAIGN_PREFIX):
        found = CAMPAIGNS_BY_ID.get(code[len(CAMPAIGN_PREFIX):].lower())
        if found is None:
            return {"status": "unknown_code"}
        kind, campaign = "campaign", found.id
        partner = PARTNERS_BY_ID[found.partner_id]
        welcome = {"kind": found.welcome_kind, "partner_name": partner.name, "currency": "UAH",
                   "amount": fmt(found.amount) if found.amount is not None else None,
                   "boost_percent": str(found.boost_percent) if found.boost_percent else None,
                   "days": found.days}
    else:
        row = session.get(ReferralCode, code) if code else None
        if row is None:
            return {"status": "unknown_code"}
        if row.expires_at <= now:
            return {"status": "expired_code",
                    "inviter_name": _inviter_name(session, row.customer_id)}
        inviter_id = row.customer_id
        if customer_id and inviter_id == customer_id:
            return {"status": "own_code"}
        if not customer_id:  # the inviter's own chat, not logged in at the moment
            own = session.execute(
                select(MessengerSession.customer_id).where(MessengerSession.identity == identity)
                .order_by(MessengerSession.created_at.desc()).limit(1)
            ).scalar_one_or_none()
            if own == inviter_id:
                return {"status": "own_code"}
    base = {"kind": kind, "inviter_name": _inviter_name(session, inviter_id),
            "campaign": campaign, "welcome": welcome}
    if customer_id and _has_card(session, customer_id):
        return {**base, "status": "not_new"}
    existing = _existing(session, identity, customer_id)
    if existing is not None:
        same = existing.inviter_id == inviter_id and existing.campaign == campaign
        return {**base, "status": "already" if same else "already_invited",
                "inviter_name": _inviter_name(session, existing.inviter_id)}
    row = Attribution(id=new_id("att_"), kind=kind, inviter_id=inviter_id,
                      code=None if campaign else code, campaign=campaign, source=source,
                      newcomer_identity=identity, newcomer_customer_id=customer_id,
                      status="pending", created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent attribution of the same newcomer won
        existing = _existing(session, identity, customer_id)
        same = existing is not None and existing.inviter_id == inviter_id \
            and existing.campaign == campaign
        return {**base, "status": "already" if same else "already_invited"}
    return {**base, "status": "attributed"}


def _latest_identity(session: Session, customer_id: str) -> str | None:
    return session.execute(
        select(MessengerSession.identity).where(MessengerSession.customer_id == customer_id)
        .order_by(MessengerSession.last_seen_at.desc()).limit(1)
    ).scalar_one_or_none()


def _reward_inviter(session: Session, att: Attribution, newcomer: Customer) -> None:
    inviter = session.execute(
        select(Customer).where(Customer.id == att.inviter_id).with_for_update()
    ).scalar_one()  # serialises the cap check of concurrent friends of one inviter
    if inviter.id == newcomer.id or inviter.phone == newcomer.phone:
        att.status = "rejected"
        return
    now = utcnow()
    amount = reward_amount()
    month = Decimal(str(session.execute(
        select(func.coalesce(func.sum(Attribution.reward_amount), 0))
        .where(Attribution.inviter_id == inviter.id, Attribution.status == "rewarded",
               Attribution.rewarded_at >= month_start(now))
    ).scalar_one()))
    account = accounts.primary_account(session, inviter.id, "UAH")
    if month + amount > monthly_cap() or account is None:
        att.status, att.rewarded_at = "capped", now
        return
    settlement = ledger.system_account(session, "settlement", "UAH")
    journal = ledger.transfer(session, settlement, account.id, amount, "UAH",
                              "Referral reward: a friend got a card", kind="referral_reward",
                              idempotency_key=f"referral:{att.id}")
    att.status, att.rewarded_at = "rewarded", now
    att.reward_amount, att.reward_journal_id = amount, journal.journal_id
    balance = journal.balance_after(account.id)
    outbox.enqueue(session, "referral.rewarded", _latest_identity(session, inviter.id), {
        "amount": fmt(amount), "currency": "UAH",
        "balance_after": fmt(balance) if balance is not None else None,
        "note": newcomer.first_name or "your friend",
    })


def _welcome(session: Session, att: Attribution, customer: Customer) -> None:
    now = utcnow()
    reward = WelcomeReward(customer_id=customer.id, attribution_id=att.id, created_at=now)
    amount = None
    if att.kind == "campaign":
        campaign = CAMPAIGNS_BY_ID[att.campaign]
        reward.kind, reward.partner_id = campaign.welcome_kind, campaign.partner_id
        if campaign.welcome_kind == "boosted_cashback":
            reward.boost_percent = campaign.boost_percent
            reward.valid_until = now + timedelta(days=campaign.days)
        else:
            amount = campaign.amount
    else:
        reward.kind, amount = "bonus", welcome_bonus()
    if amount is not None:
        account = accounts.primary_account(session, customer.id, "UAH")
        settlement = ledger.system_account(session, "settlement", "UAH")
        journal = ledger.transfer(session, settlement, account.id, amount, "UAH",
                                  "Welcome bonus", kind="welcome_bonus",
                                  idempotency_key=f"welcome:{customer.id}")
        reward.amount, reward.journal_id = amount, journal.journal_id
    session.add(reward)


def on_card_issued(session: Session, customer_id: str, identity: str) -> dict | None:
    """Settle the newcomer's attribution on their first card; the welcome (or None)."""
    if session.execute(select(func.count()).select_from(Card)
                       .where(Card.customer_id == customer_id)).scalar_one() != 1:
        return None  # not the first card: invitations are for newcomers
    att = session.execute(
        select(Attribution).where(or_(Attribution.newcomer_customer_id == customer_id,
                                      Attribution.newcomer_identity == identity))
        .order_by(Attribution.newcomer_customer_id.is_(None), Attribution.created_at)
        .limit(1).with_for_update()
    ).scalar_one_or_none()
    if att is None:
        return None
    if att.newcomer_customer_id is None:
        att.newcomer_customer_id = customer_id
    elif att.newcomer_customer_id != customer_id:
        return None  # this chat's invitation was used by another customer
    if att.status != "pending":
        return welcome_body(session, customer_id)
    customer = session.get(Customer, customer_id)
    if att.kind == "referral":
        _reward_inviter(session, att, customer)
        if att.status == "rejected":
            session.flush()
            return None
    else:
        att.status, att.rewarded_at = "rewarded", utcnow()
    _welcome(session, att, customer)
    session.flush()
    return welcome_body(session, customer_id)


def welcome_body(session: Session, customer_id: str) -> dict | None:
    reward = session.get(WelcomeReward, customer_id)
    if reward is None:
        return None
    att = session.get(Attribution, reward.attribution_id)
    partner = PARTNERS_BY_ID.get(reward.partner_id or "")
    return {
        "kind": reward.kind,
        "source": att.kind if att else None,
        "inviter_name": _inviter_name(session, att.inviter_id) if att else None,
        "amount": fmt(reward.amount) if reward.amount is not None else None,
        "currency": "UAH",
        "partner_id": reward.partner_id,
        "partner_name": partner.name if partner else None,
        "boost_percent": format(Decimal(str(reward.boost_percent)).normalize(), "f")
        if reward.boost_percent else None,
        "valid_until": iso(reward.valid_until),
        "active": reward.valid_until is None or reward.valid_until > utcnow(),
    }


def boost_for(session: Session, customer_id: str, partner_id: str, now: datetime) -> Decimal:
    reward = session.get(WelcomeReward, customer_id)
    if (reward is None or reward.kind != "boosted_cashback" or reward.partner_id != partner_id
            or reward.valid_until is None or reward.valid_until <= now):
        return Decimal("0")
    return Decimal(str(reward.boost_percent))
