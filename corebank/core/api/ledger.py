"""Internal ledger API (scope `ledger`): account-to-account transfers, accounts, invariant check."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import Extra, Field, StrictStr, constr
from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.core import ledger
from corebank.core.accounts import open_account
from corebank.core.auth import require_scope
from corebank.core.contract import (
    AMOUNT_RULES,
    CURRENCY_RULES,
    IDEMPOTENCY_KEY,
    TOKEN_ERRORS,
    Amount,
    ContractModel,
    Currency,
    errors,
    merge,
)
from corebank.core.db import get_session, iso, read_only_connection, session_scope
from corebank.core.errors import BankError
from corebank.core.idempotency import request_hash, validate_idempotency_key
from corebank.core.models import ACCOUNT_KINDS, Account
from corebank.core.money import fmt, parse_amount, parse_currency, to_decimal

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"],
                   dependencies=[Depends(require_scope("ledger"))], responses=TOKEN_ERRORS)

SCOPE = "ledger"


class TransferIn(ContractModel):
    from_account: StrictStr
    to_account: StrictStr = Field(..., description="Not from_account (422 otherwise).")
    amount: Amount = Field(..., description=AMOUNT_RULES)
    currency: Currency = Field(..., description=CURRENCY_RULES)
    description: constr(strict=True, max_length=300) = "Ledger transfer"


class TransferOut(ContractModel):
    journal_id: str
    status: str
    from_account: str
    to_account: str
    amount: str
    currency: str
    description: str | None
    from_balance_after: str | None
    to_balance_after: str | None
    created_at: str | None


class AccountIn(ContractModel):
    currency: Currency = Field("UAH", description=CURRENCY_RULES)
    kind: Literal[ACCOUNT_KINDS] = "customer"  # type: ignore[valid-type]
    credit_limit: Amount | None = Field("0.00", description="0, or as an amount.")
    name: constr(strict=True, max_length=100) | None = None


class LedgerAccount(ContractModel):
    account_id: str
    customer_id: str | None
    currency: str
    kind: str
    balance: str
    credit_limit: str
    available: str
    iban: str | None


class LedgerCheck(ContractModel):
    balanced: bool

    class Config:
        extra = Extra.allow


@router.post("/transfers", responses=merge(
    {200: {"model": TransferOut, "description": "Posted (or the first posting, replayed: "
                                                 "header Idempotent-Replayed)."}},
    errors(404, 409)))
def post_transfer(body: TransferIn, idempotency_key: IDEMPOTENCY_KEY = Header(...),
                  session: Session = Depends(get_session)):
    key = validate_idempotency_key(idempotency_key)
    amount = parse_amount(body.amount)
    currency = parse_currency(body.currency)
    if body.from_account == body.to_account:
        raise BankError("same_account", "Source and destination are the same account.", 422)
    normalised = {"from": body.from_account, "to": body.to_account, "amount": str(amount),
                  "currency": currency, "description": body.description}
    try:
        # The journal's own idempotency key is the whole mechanism here: a repeat (same
        # request hash) gets the first journal back; another body -> 409 idempotency_conflict.
        result = ledger.transfer(session, body.from_account, body.to_account, amount, currency,
                                 body.description, idempotency_key=f"{SCOPE}:{key}",
                                 request_hash=request_hash(normalised),
                                 kind="ledger_transfer")
        session.commit()
    except BaseException:
        session.rollback()  # release row locks now, not after the error response is sent
        raise
    response = {
        "journal_id": result.journal_id,
        "status": "posted",
        "from_account": body.from_account,
        "to_account": body.to_account,
        "amount": fmt(amount),
        "currency": currency,
        "description": result.description,
        "from_balance_after": fmt(result.balance_after(body.from_account)),
        "to_balance_after": fmt(result.balance_after(body.to_account)),
        "created_at": iso(result.created_at),
    }
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return JSONResponse(response, headers=headers)  # skip FastAPI's generic encoder


@router.get("/check", response_model=LedgerCheck)
def check() -> dict:
    # One consistent snapshot, and no write lock held while scanning.
    with read_only_connection(snapshot=True) as conn:
        return ledger.check_ledger(conn)


def _account_view(account: Account) -> dict:
    balance, limit = to_decimal(account.balance), to_decimal(account.credit_limit)
    return {"account_id": account.id, "customer_id": account.customer_id,
            "currency": account.currency, "kind": account.kind, "balance": fmt(balance),
            "credit_limit": fmt(limit), "available": fmt(balance + limit), "iban": account.iban}


@router.post("/accounts", response_model=LedgerAccount)
def create_account(body: AccountIn) -> dict:
    """Open an internal account (customer-kind accounts without an owner are for tests/bench)."""
    currency = parse_currency(body.currency)
    if body.kind not in ACCOUNT_KINDS:
        raise BankError("invalid_request", f"kind must be one of {', '.join(ACCOUNT_KINDS)}.",
                        422)
    limit = Decimal("0.00") if body.credit_limit in (None, "0", "0.00", 0) else \
        parse_amount(body.credit_limit, "credit_limit")
    with session_scope() as session:
        return _account_view(open_account(session, None, currency, body.kind, limit, body.name))


@router.get("/accounts", response_model=list[LedgerAccount])
def list_accounts(kind: constr(max_length=32) = "settlement",
                  currency: constr(max_length=3) | None = None) -> list[dict]:
    """Accounts of a kind (default: system settlement accounts), oldest first, at most 100."""
    with session_scope() as session:
        stmt = select(Account).where(Account.kind == kind)
        if currency:
            stmt = stmt.where(Account.currency == currency.upper())
        rows = session.execute(stmt.order_by(Account.created_at, Account.id).limit(100))
        return [_account_view(a) for a in rows.scalars()]


@router.get("/accounts/{account_id}", response_model=LedgerAccount, responses=errors(404))
def get_account(account_id: str) -> dict:
    with session_scope() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise BankError("not_found", "Account not found.")
        return _account_view(account)
