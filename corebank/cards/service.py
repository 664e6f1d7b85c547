"""Cards: issuing (basic / Digital Tariff Card), the upgrade, plastic card orders, and the JSON
shapes of cards and orders. Every function runs in the caller's transaction; none commits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.cards.models import PlasticOrder
from corebank.core import accounts, tariffs
from corebank.core.db import iso, new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.http import require_str
from corebank.core.models import Account, Card, Customer
from corebank.core.money import fmt, to_decimal
from corebank.core.settings import get_settings

HOLDER_MAX = 26  # what fits on the embossed line of a card


def card_body(card: Card, account: Account) -> dict:
    body = {
        "card_id": card.id,
        "card_token": card.card_token,
        "masked": card.masked,
        "last4": card.last4,
        "holder_name": card.holder_name,
        "tariff": card.tariff,
        "tariff_name": tariffs.TIER_NAMES.get(card.tariff, card.tariff),
        "status": card.status,
        "expiry": card.expiry,
        "account_id": account.id,
        "currency": account.currency,
        "balance": fmt(account.balance),
        "credit_limit": fmt(account.credit_limit),
        "cashback": tariffs.cashback_summary() if card.tariff == "tariff" else None,
    }
    return body


def holder_name(payload: dict) -> str:
    name = require_str(payload, "holder_name", max_len=HOLDER_MAX, min_len=2)
    # Embossing alphabet: Latin letters, spaces, hyphen, apostrophe, dot.
    if not all(c.isascii() and (c.isalpha() or c in " -'.") for c in name):
        raise BankError("invalid_request",
                        "holder_name must be written in Latin letters (as on the card).",
                        field="holder_name")
    return " ".join(name.split())


def active_cards(session: Session, customer_id: str) -> list[Card]:
    return list(session.execute(
        select(Card).where(Card.customer_id == customer_id, Card.status != "blocked")
        .order_by(Card.created_at)
    ).scalars())


def require_verified(customer: Customer) -> None:
    if customer.kyc_level != "verified":
        raise BankError("kyc_required",
                        "The Digital Tariff Card needs identity verification first (POST /me/kyc).",
                        403)


def split_address(text: str) -> dict:
    """"Khreshchatyk St 1, apt 5, Kyiv, 01001" -> street / city / postal_code (free text from
    a chat: the city is the last part that is not a postal code)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    postal = next((p for p in parts if p.isdigit() and len(p) == 5), None)
    parts = [p for p in parts if p != postal]
    if len(parts) < 2:
        raise BankError("invalid_address",
                        "The address needs a street and a city, e.g. 'Khreshchatyk St 1, Kyiv'.",
                        field="address")
    return {"street": ", ".join(parts[:-1]), "city": parts[-1], "postal_code": postal}


def delivery_address(payload: dict) -> dict:
    address = payload.get("address")
    if isinstance(address, str) and len(address) <= 250:
        address = split_address(address)
    if not isinstance(address, dict):
        raise BankError("invalid_address", "address must be 'street, city' text or an object "
                        "with street, city and optional postal_code.", field="address")
    try:
        street = require_str(address, "street", min_len=3, max_len=120)
        city = require_str(address, "city", min_len=2, max_len=60)
    except BankError as error:  # the right type, a wrong value
        raise BankError("invalid_address", error.message, field=error.extra.get("field")) from None
    postal = address.get("postal_code")
    if postal is not None and (not isinstance(postal, str) or not postal.strip().isdigit()
                               or len(postal.strip()) != 5):
        raise BankError("invalid_address", "postal_code must be 5 digits.",
                        field="postal_code")
    if not any(c.isalpha() for c in street) or not any(c.isalpha() for c in city):
        raise BankError("invalid_address", "street and city must contain letters.",
                        field="address")
    return {"street": " ".join(street.split()), "city": " ".join(city.split()),
            "postal_code": postal.strip() if postal else None}


def add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def order_body(order: PlasticOrder, card: Card | None = None) -> dict:
    return {
        "order_id": order.id,
        "card_id": order.card_id,
        "masked": card.masked if card else None,
        "status": order.status,
        "address": {"street": order.street, "city": order.city,
                    "postal_code": order.postal_code},
        "estimated_delivery": order.estimated_delivery.isoformat(),
        "price": "0.00",
        "currency": "UAH",
        "created_at": iso(order.created_at),
    }


# --- operations ------------------------------------------------------------------------------

def issue(session: Session, customer_id: str, payload: dict) -> tuple[Card, Account]:
    """A new card of `payload["tier"]` for the customer (one per tier; a tariff card needs
    verification, and a basic holder upgrades instead)."""
    tier = payload.get("tier")
    if tier not in tariffs.TIERS:
        raise BankError("invalid_request", "tier must be 'basic' or 'tariff'.", field="tier")
    holder = holder_name(payload)
    customer = session.execute(
        select(Customer).where(Customer.id == customer_id).with_for_update()
    ).scalar_one()
    existing = active_cards(session, customer.id)
    same = [c for c in existing if c.tariff == tier or c.tariff == "tariff"]
    if same:
        raise BankError("already_has_card", "You already have this card.",
                        card_id=same[0].id, tariff=same[0].tariff)
    if tier == "tariff":
        require_verified(customer)
        if existing:  # a basic holder keeps the number and upgrades instead
            raise BankError("already_has_card",
                            "You have a basic card: upgrade it to the Digital Tariff Card.",
                            card_id=existing[0].id, tariff=existing[0].tariff,
                            upgrade_url=f"/api/v1/me/cards/{existing[0].id}/upgrade")
    account = accounts.primary_account(session, customer.id, "UAH")
    if account is None:
        account = accounts.open_account(session, customer.id, "UAH")
    replaced = None if existing else unreplaced_blocked_card(session, customer.id)
    if replaced is not None:
        # A new card after a block is that card's replacement: its account (so its credit
        # limit) and its tariff (with the partner offers), never a downgrade.
        account = session.get(Account, replaced.account_id)
        if replaced.tariff == "tariff":
            tier = "tariff"
    if tier == "tariff":
        grant_tariff_limit(account)
    card = accounts.issue_card(session, customer, account, holder, tariff=tier)
    if replaced is not None:
        replaced.replaced_by = card.id
    if customer.kyc_level == "none":
        customer.kyc_level = "basic"
    if not customer.first_name:
        customer.first_name = holder.split()[0].title()
        customer.last_name = " ".join(holder.split()[1:]).title() or None
    return card, account


def upgrade(session: Session, customer_id: str, card_id: str) -> tuple[Card, Account, bool]:
    """Make a basic card a Digital Tariff Card; (card, account, changed). Repeating is harmless."""
    card = accounts.own_card(session, customer_id, card_id, lock=True)
    customer = session.get(Customer, customer_id)
    if card.status == "blocked":
        raise BankError("card_blocked", "This card is blocked.")
    account = session.get(Account, card.account_id)
    if card.tariff == "tariff":
        return card, account, False
    require_verified(customer)
    card.tariff = "tariff"
    grant_tariff_limit(account)
    return card, account, True


def grant_tariff_limit(account: Account) -> None:
    """The Tariff Card's credit limit for an account that has none; a limit the account already
    has (set when the customer got the tariff, or by underwriting) is never reset by an upgrade
    or a new card: a button must not raise (or lower) what the bank granted."""
    if not to_decimal(account.credit_limit):
        account.credit_limit = get_settings().tariff_credit_limit


def unreplaced_blocked_card(session: Session, customer_id: str) -> Card | None:
    """The customer's latest card blocked for good (lost, stolen, fraud) with no replacement."""
    return session.execute(
        select(Card).where(Card.customer_id == customer_id, Card.status == "blocked",
                           Card.replaced_by.is_(None))
        .order_by(Card.created_at.desc()).limit(1).with_for_update()
    ).scalars().first()


def order_plastic(session: Session, customer_id: str, card_id: str,
                  payload: dict) -> tuple[PlasticOrder, Card, bool]:
    """A plastic card for a tariff card; (order, card, created). One open order per card: a
    repeat returns the existing one."""
    card = accounts.own_card(session, customer_id, card_id, lock=True)
    where = delivery_address(payload)
    if card.status == "blocked":
        raise BankError("card_blocked", "This card is blocked.")
    if card.tariff != "tariff":
        raise BankError("tariff_required",
                        "A plastic card comes with the Digital Tariff Card.", 409)
    open_order = session.execute(
        select(PlasticOrder).where(PlasticOrder.card_id == card.id,
                                   PlasticOrder.status.in_(("ordered", "shipped")))
    ).scalar_one_or_none()
    if open_order is not None:
        return open_order, card, False
    order = PlasticOrder(
        id=new_id("pco_"), customer_id=customer_id, card_id=card.id, status="ordered",
        estimated_delivery=add_business_days(utcnow().date(),
                                             get_settings().plastic_delivery_days),
        created_at=utcnow(), **where,
    )
    session.add(order)
    session.flush()
    return order, card, True


def plastic_orders(session: Session, customer_id: str) -> list[tuple[PlasticOrder, Card]]:
    return list(session.execute(
        select(PlasticOrder, Card).join(Card, Card.id == PlasticOrder.card_id)
        .where(PlasticOrder.customer_id == customer_id)
        .order_by(PlasticOrder.created_at.desc())
    ).all())
