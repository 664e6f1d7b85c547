"""Tariffs, card issuing (basic / Digital Tariff Card), upgrade, plastic card orders."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Body, Depends, Header
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank import accounts
from corebank.auth import CurrentCustomer, current_customer, require_scope
from corebank.db import get_session, iso, new_id, utcnow
from corebank.errors import BankError
from corebank.features import catalogue
from corebank.features.common import Idempotent, own_card, require_str
from corebank.features.models import PlasticOrder
from corebank.features.settings import feature_settings
from corebank.models import Account, Card, Customer
from corebank.money import fmt

router = APIRouter(prefix="/api/v1", tags=["cards"])

HOLDER_MAX = 26  # what fits on the embossed line of a card


@router.get("/tariffs")
def get_tariffs(_claims: dict = Depends(require_scope("cards"))) -> dict:
    return catalogue.tariffs()


def card_body(card: Card, account: Account) -> dict:
    body = {
        "card_id": card.id,
        "card_token": card.card_token,
        "masked": card.masked,
        "last4": card.last4,
        "holder_name": card.holder_name,
        "tariff": card.tariff,
        "tariff_name": catalogue.TIER_NAMES.get(card.tariff, card.tariff),
        "status": card.status,
        "expiry": card.expiry,
        "account_id": account.id,
        "currency": account.currency,
        "balance": fmt(account.balance),
        "credit_limit": fmt(account.credit_limit),
        "cashback": catalogue.cashback_summary() if card.tariff == "tariff" else None,
    }
    return body


def _holder_name(payload: dict) -> str:
    name = require_str(payload, "holder_name", max_len=HOLDER_MAX, min_len=2)
    # Embossing alphabet: Latin letters, spaces, hyphen, apostrophe, dot.
    if not all(c.isascii() and (c.isalpha() or c in " -'.") for c in name):
        raise BankError("invalid_request",
                        "holder_name must be written in Latin letters (as on the card).",
                        field="holder_name")
    return " ".join(name.split())


def _active_cards(session: Session, customer_id: str) -> list[Card]:
    return list(session.execute(
        select(Card).where(Card.customer_id == customer_id, Card.status != "blocked")
        .order_by(Card.created_at)
    ).scalars())


def _require_verified(customer: Customer) -> None:
    if customer.kyc_level != "verified":
        raise BankError("kyc_required",
                        "The Digital Tariff Card needs identity verification first (POST /me/kyc).",
                        403)


@router.post("/me/cards", status_code=201)
def issue_card(
    payload: dict = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    idem = Idempotent(session, idempotency_key, f"cards.issue:{me.customer_id}", payload)
    if idem.replay:
        return JSONResponse(idem.replay.body, status_code=idem.replay.status_code)
    tier = payload.get("tier")
    if tier not in catalogue.TIERS:
        raise BankError("invalid_request", "tier must be 'basic' or 'tariff'.", field="tier")
    holder = _holder_name(payload)
    customer = session.execute(
        select(Customer).where(Customer.id == me.customer_id).with_for_update()
    ).scalar_one()
    existing = _active_cards(session, customer.id)
    same = [c for c in existing if c.tariff == tier or c.tariff == "tariff"]
    if same:
        raise BankError("already_has_card", "You already have this card.",
                        card_id=same[0].id, tariff=same[0].tariff)
    if tier == "tariff":
        _require_verified(customer)
        if existing:  # a basic holder keeps the number and upgrades instead
            raise BankError("already_has_card",
                            "You have a basic card: upgrade it to the Digital Tariff Card.",
                            card_id=existing[0].id, tariff=existing[0].tariff,
                            upgrade_url=f"/api/v1/me/cards/{existing[0].id}/upgrade")
    account = accounts.primary_account(session, customer.id, "UAH")
    if account is None:
        account = accounts.open_account(session, customer.id, "UAH")
    if tier == "tariff":
        account.credit_limit = feature_settings().tariff_credit_limit
    card = accounts.issue_card(session, customer, account, holder, tariff=tier)
    if customer.kyc_level == "none":
        customer.kyc_level = "basic"
    if not customer.first_name:
        customer.first_name = holder.split()[0].title()
        customer.last_name = " ".join(holder.split()[1:]).title() or None
    body = card_body(card, account)
    idem.remember(body, 201)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.post("/me/cards/{card_id}/upgrade")
def upgrade_card(
    card_id: str,
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    card = own_card(session, me.customer_id, card_id, lock=True)
    customer = session.get(Customer, me.customer_id)
    if card.status == "blocked":
        raise BankError("card_blocked", "This card is blocked.")
    account = session.get(Account, card.account_id)
    if card.tariff == "tariff":  # repeating the upgrade is harmless
        return card_body(card, account)
    _require_verified(customer)
    card.tariff = "tariff"
    account.credit_limit = feature_settings().tariff_credit_limit
    body = card_body(card, account)
    session.commit()
    return body


# --- plastic cards -------------------------------------------------------------------------

def _split_address(text: str) -> dict:
    """"Khreshchatyk St 1, apt 5, Kyiv, 01001" -> street / city / postal_code (free text from
    a chat: the city is the last part that is not a postal code)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    postal = next((p for p in parts if p.isdigit() and len(p) == 5), None)
    parts = [p for p in parts if p != postal]
    if len(parts) < 2:
        raise BankError("invalid_request",
                        "The address needs a street and a city, e.g. 'Khreshchatyk St 1, Kyiv'.",
                        field="address")
    return {"street": ", ".join(parts[:-1]), "city": parts[-1], "postal_code": postal}


def _address(payload: dict) -> dict:
    address = payload.get("address")
    if isinstance(address, str) and len(address) <= 250:
        address = _split_address(address)
    if not isinstance(address, dict):
        raise BankError("invalid_request", "address must be 'street, city' text or an object "
                        "with street, city and optional postal_code.", field="address")
    street = require_str(address, "street", min_len=3, max_len=120)
    city = require_str(address, "city", min_len=2, max_len=60)
    postal = address.get("postal_code")
    if postal is not None and (not isinstance(postal, str) or not postal.strip().isdigit()
                               or len(postal.strip()) != 5):
        raise BankError("invalid_request", "postal_code must be 5 digits.",
                        field="postal_code")
    if not any(c.isalpha() for c in street) or not any(c.isalpha() for c in city):
        raise BankError("invalid_request", "street and city must contain letters.",
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


@router.post("/me/cards/{card_id}/plastic", status_code=201)
def order_plastic(
    card_id: str,
    payload: dict = Body(...),
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
):
    card = own_card(session, me.customer_id, card_id, lock=True)
    address = _address(payload)
    if card.status == "blocked":
        raise BankError("card_blocked", "This card is blocked.")
    if card.tariff != "tariff":
        raise BankError("tariff_required",
                        "A plastic card comes with the Digital Tariff Card.", 409)
    open_order = session.execute(
        select(PlasticOrder).where(PlasticOrder.card_id == card.id,
                                   PlasticOrder.status.in_(("ordered", "shipped")))
    ).scalar_one_or_none()
    if open_order is not None:  # one plastic per card: a repeat shows the existing order
        return JSONResponse(order_body(open_order, card), status_code=200)
    order = PlasticOrder(
        id=new_id("pco_"), customer_id=me.customer_id, card_id=card.id, status="ordered",
        estimated_delivery=add_business_days(utcnow().date(),
                                             feature_settings().plastic_delivery_days),
        created_at=utcnow(), **address,
    )
    session.add(order)
    session.flush()
    body = order_body(order, card)
    session.commit()
    return JSONResponse(body, status_code=201)


@router.get("/me/plastic-orders")
def plastic_orders(
    _claims: dict = Depends(require_scope("cards")),
    me: CurrentCustomer = Depends(current_customer),
    session: Session = Depends(get_session),
) -> list:
    rows = session.execute(
        select(PlasticOrder, Card).join(Card, Card.id == PlasticOrder.card_id)
        .where(PlasticOrder.customer_id == me.customer_id)
        .order_by(PlasticOrder.created_at.desc())
    ).all()
    return [order_body(order, card) for order, card in rows]
