"""What a logged-in customer sees under /api/v1/me: profile, accounts, cards, transactions and
bank details (read-only; each domain adds its own /me operations)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import constr
from sqlalchemy import select

from corebank.core import bins
from corebank.core.accounts import full_name, masked_name, primary_account
from corebank.core.auth import CurrentCustomer, current_customer, require_scope
from corebank.core.contract import CURRENCY_PATTERN, SESSION_ERRORS, ContractModel, errors
from corebank.core.db import iso, session_scope
from corebank.core.errors import BankError
from corebank.core.models import Account, Card, Customer, JournalEntry, Posting
from corebank.core.money import fmt, to_decimal
from corebank.core.phones import mask_phone

router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=SESSION_ERRORS)


class MeOut(ContractModel):
    customer_id: str
    first_name: str | None
    masked_name: str | None
    masked_phone: str
    kyc_level: str


class AccountOut(ContractModel):
    account_id: str
    currency: str
    balance: str
    available: str
    credit_limit: str
    iban: str | None


class CardOut(ContractModel):
    card_id: str
    card_token: str
    masked: str
    last4: str
    holder_name: str | None
    tariff: str
    status: str
    status_reason: str | None
    expiry: str | None
    account_id: str
    replaced_by: str | None = None  # the card issued in its place (a blocked card)


class TransactionOut(ContractModel):
    id: str
    at: str | None
    description: str | None
    kind: str | None
    amount: str
    currency: str
    balance_after: str
    account_id: str


class BankDetailsOut(ContractModel):
    holder: str
    iban: str | None
    bic: str
    bank_name: str
    bank_code: str
    currency: str
    account_id: str


def account_view(account: Account) -> dict:
    balance, limit = to_decimal(account.balance), to_decimal(account.credit_limit)
    return {
        "account_id": account.id,
        "currency": account.currency,
        "balance": fmt(balance),
        "available": fmt(balance + limit),
        "credit_limit": fmt(limit),
        "iban": account.iban,
    }


def card_view(card: Card) -> dict:
    return {
        "card_id": card.id,
        "card_token": card.card_token,
        "masked": card.masked,
        "last4": card.last4,
        "holder_name": card.holder_name,
        "tariff": card.tariff,
        "status": card.status,
        "status_reason": card.status_reason,
        "expiry": card.expiry,
        "account_id": card.account_id,
        "replaced_by": card.replaced_by,
    }


@router.get("", dependencies=[Depends(require_scope("customers"))], response_model=MeOut)
def me(customer: CurrentCustomer = Depends(current_customer)) -> dict:
    return {
        "customer_id": customer.customer_id,
        "first_name": customer.first_name,
        "masked_name": masked_name(customer.first_name, customer.last_name),
        "masked_phone": mask_phone(customer.phone),
        "kyc_level": customer.kyc_level,
    }


@router.get("/accounts", dependencies=[Depends(require_scope("accounts"))],
            response_model=list[AccountOut])
def my_accounts(customer: CurrentCustomer = Depends(current_customer)) -> list[dict]:
    with session_scope() as session:
        rows = session.execute(
            select(Account).where(Account.customer_id == customer.customer_id)
            .order_by(Account.created_at, Account.id)
        ).scalars().all()
        return [account_view(a) for a in rows]


@router.get("/cards", dependencies=[Depends(require_scope("cards"))],
            response_model=list[CardOut])
def my_cards(customer: CurrentCustomer = Depends(current_customer)) -> list[dict]:
    with session_scope() as session:
        rows = session.execute(
            select(Card).where(Card.customer_id == customer.customer_id)
            .order_by(Card.created_at, Card.id)
        ).scalars().all()
        return [card_view(c) for c in rows]


@router.get("/transactions", dependencies=[Depends(require_scope("accounts"))],
            response_model=list[TransactionOut])
def my_transactions(
    limit: int = Query(10, ge=1, le=100),
    account_id: constr(max_length=64) | None = None,
    customer: CurrentCustomer = Depends(current_customer),
) -> list[dict]:
    with session_scope() as session:
        stmt = (
            select(Posting, JournalEntry)
            .join(JournalEntry, JournalEntry.id == Posting.journal_id)
            .join(Account, Account.id == Posting.account_id)
            .where(Account.customer_id == customer.customer_id)
            .order_by(Posting.id.desc())
            .limit(limit)
        )
        if account_id:
            stmt = stmt.where(Posting.account_id == account_id)
        return [
            {
                "id": journal.id,
                "at": iso(journal.created_at),
                "description": journal.description,
                "kind": journal.kind,
                "amount": fmt(posting.amount),
                "currency": posting.currency,
                "balance_after": fmt(posting.balance_after),
                "account_id": posting.account_id,
            }
            for posting, journal in session.execute(stmt).all()
        ]


@router.get("/bank-details", dependencies=[Depends(require_scope("accounts"))],
            response_model=BankDetailsOut, responses=errors(404))
def my_bank_details(currency: constr(regex=CURRENCY_PATTERN) = "UAH",
                    customer: CurrentCustomer = Depends(current_customer)) -> dict:
    with session_scope() as session:
        account = primary_account(session, customer.customer_id, currency.upper())
        if account is None:
            raise BankError("not_found", "You have no account in that currency yet.")
        holder = full_name(session.get(Customer, customer.customer_id))
        return {
            "holder": holder,
            "iban": account.iban,
            "bic": bins.OWN_BANK_BIC,
            "bank_name": bins.OWN_BANK_NAME,
            "bank_code": bins.OWN_BANK_CODE,
            "currency": account.currency,
            "account_id": account.id,
        }
