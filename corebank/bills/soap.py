"""Bill payment operations of the legacy SOAP API (corebank/soap/api.py dispatches them):
ListProviders, GetDebt and PayBill (idempotent; the money goes to the settlement account)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.bills import providers
from corebank.core import ledger
from corebank.core.db import iso
from corebank.core.errors import BankError
from corebank.core.idempotency import (
    idempotent,
    remember_response,
    request_hash,
    validate_idempotency_key,
)
from corebank.core.models import Account
from corebank.core.money import fmt, parse_amount, parse_currency
from corebank.soap import params as p

SCOPE = "soap.paybill"


def list_providers(_session: Session, params: dict) -> dict:
    items = providers.list_providers(p.text(params, "Category", required=False))
    return {"Providers": [("Provider", {
        "ProviderId": item.id, "Name": item.name, "Category": item.category,
        "AccountLabel": item.account_label, "AccountPattern": item.account_pattern,
        "ShowsDebt": item.shows_debt, "MinAmount": item.min_amount,
        "MaxAmount": item.max_amount,
    }) for item in items]}


def get_debt(_session: Session, params: dict) -> dict:
    provider = providers.get_provider(p.text(params, "ProviderId"))
    account = provider.check_account(p.text(params, "Account"))
    amount, period = providers.debt_for(provider, account)
    return {"ProviderId": provider.id, "Account": account,
            "Debt": {"Amount": amount, "Currency": "UAH"}, "Period": period}


def pay_bill(session: Session, params: dict) -> dict:
    key = validate_idempotency_key(p.text(params, "IdempotencyKey"))
    customer = p.customer(session, params)
    provider = providers.get_provider(p.text(params, "ProviderId"))
    account_no = provider.check_account(p.text(params, "Account"))
    amount_el = params.get("Amount")
    if not isinstance(amount_el, dict):
        raise BankError("invalid_request", "Amount must hold Value and Currency.", 422)
    amount = parse_amount(amount_el.get("Value"))
    currency = parse_currency(amount_el.get("Currency") or "UAH")
    if currency != "UAH":
        raise BankError("unknown_currency", "Bills are paid in UAH.")
    provider.check_amount(amount)
    card_ref = p.text(params, "CardId", required=False)
    digest = request_hash({"customer": customer.customer_id, "provider": provider.id,
                           "account": account_no, "amount": str(amount),
                           "currency": currency, "card": card_ref})
    stored = idempotent(session, key, digest, SCOPE)
    if stored is not None:
        return stored.body
    if card_ref:
        card = p.card(session, customer, params)
        if card.status == "blocked":
            raise BankError("card_blocked", "The card is blocked.")
        if card.status == "frozen":
            raise BankError("card_frozen", "The card is locked; unlock it first.")
        source = card.account_id
    else:
        source = session.execute(
            select(Account.id).where(Account.customer_id == customer.customer_id,
                                     Account.currency == currency, Account.kind == "customer")
            .order_by(Account.created_at, Account.id).limit(1)
        ).scalar_one_or_none()
        if source is None:
            raise BankError("not_found", "You have no account to pay from.")
    settlement = ledger.system_account(session, "settlement", currency)
    result = ledger.transfer(
        session, source, settlement, amount, currency,
        f"{provider.name}, {provider.account_label.lower()} {account_no}",
        idempotency_key=f"{SCOPE}:{key}", request_hash=digest, kind="bill_payment")
    payload = {
        "PaymentId": result.journal_id,
        "Status": "completed",
        "ProviderId": provider.id,
        "Account": account_no,
        "Amount": {"Value": fmt(amount), "Currency": currency},
        "Fee": "0.00",
        "BalanceAfter": fmt(result.balance_after(source)),
        "ReceiptNo": "R" + result.journal_id[4:].upper(),
        "At": iso(result.created_at),
    }
    remember_response(session, key, SCOPE, payload)
    return payload


OPERATIONS = {
    "ListProviders": list_providers,
    "GetDebt": get_debt,
    "PayBill": pay_bill,
}
