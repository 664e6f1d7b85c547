"""Customers' accounts and cards as every domain sees them: opening accounts (with valid UA
IBANs), issuing cards, finding a customer's account or card, and the names a customer may
see of another. Everything runs inside the caller's transaction."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import iban as iban_lib

from corebank.core import bins, vault
from corebank.core.db import new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.models import Account, Card, Customer


def make_iban(bank_code: str = bins.OWN_BANK_CODE) -> str:
    """UA IBAN: 'UA' + 2 check digits + 6-digit bank code + 19-digit account number."""
    account_number = "".join(secrets.choice("0123456789") for _ in range(19))
    draft = f"UA00{bank_code}{account_number}"
    value = f"UA{iban_lib.calc_check_digits(draft)}{bank_code}{account_number}"
    return iban_lib.validate(value)


def open_account(session: Session, customer_id: str | None, currency: str = "UAH",
                 kind: str = "customer", credit_limit: Decimal = Decimal("0.00"),
                 name: str | None = None) -> Account:
    account = Account(
        id=new_id("acc_"), customer_id=customer_id, currency=currency, balance=Decimal("0.00"),
        credit_limit=credit_limit, kind=kind, name=name, created_at=utcnow(),
        iban=make_iban() if kind == "customer" else None,
    )
    session.add(account)
    session.flush()
    return account


def primary_account(session: Session, customer_id: str, currency: str = "UAH") -> Account | None:
    return session.execute(
        select(Account).where(Account.customer_id == customer_id, Account.currency == currency,
                              Account.kind == "customer")
        .order_by(Account.created_at, Account.id).limit(1)
    ).scalar_one_or_none()


def own_card(session: Session, customer_id: str, card_id: object, *, lock: bool = False) -> Card:
    """A card of this customer by id (404 card_not_found for anyone else's or unknown)."""
    if not isinstance(card_id, str):
        raise BankError("card_not_found", "No such card.")
    stmt = select(Card).where(Card.id == card_id, Card.customer_id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
    card = session.execute(stmt).scalar_one_or_none()
    if card is None:
        raise BankError("card_not_found", "No such card.")
    return card


def card_expiry(years: int = 4, today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.month:02d}/{(today.year + years) % 100:02d}"


def issue_card(session: Session, customer: Customer, account: Account, holder_name: str,
               tariff: str = "basic", pan: str | None = None, status: str = "active") -> Card:
    """A new own-bank card on `account`: a fresh PAN goes into the vault, only its token and
    masked form are kept on the card. Tariff cards use a Mastercard BIN, basic ones Visa."""
    pan = pan or vault.new_own_pan(session, "516874" if tariff == "tariff" else "414949")
    vault_card = vault.tokenize(session, pan)
    card = Card(
        id=new_id("card_"), customer_id=customer.id, account_id=account.id,
        card_token=vault_card.card_token, masked=vault.masked(vault_card.last4),
        last4=vault_card.last4, holder_name=holder_name.upper()[:100], tariff=tariff,
        status=status, expiry=card_expiry(), created_at=utcnow(),
    )
    session.add(card)
    session.flush()
    return card


def masked_name(first: str | None, last: str | None) -> str:
    """"Anna I." - what a sender may see about a recipient."""
    if not first:
        return "Bank customer"
    return f"{first} {last[0]}." if last else first


def full_name(customer: Customer) -> str:
    return " ".join(p for p in (customer.first_name, customer.last_name) if p) or "Bank customer"
