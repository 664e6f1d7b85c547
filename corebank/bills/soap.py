"""Bill payment operations of the legacy SOAP API (corebank/soap/api.py dispatches them):
ListProviders (the catalog with each provider's fields, limits and fee), GetDebt, GetOwnPhone
(the customer's own number and its operator), QuoteBill
(validates account and amount, gives fee, total and whether a step-up code is needed), PayBill
(idempotent; the money goes to the settlement account, the fee to the fees account),
ListBillPayments (history) and the payment templates (SaveBillTemplate, ListBillTemplates,
DeleteBillTemplate)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corebank.bills import providers
from corebank.bills.models import BillPayment, BillTemplate
from corebank.core import ledger
from corebank.core.auth import consume_step_up
from corebank.core.db import iso, new_id
from corebank.core.errors import BankError
from corebank.core.idempotency import (
    idempotent,
    remember_response,
    request_hash,
    validate_idempotency_key,
)
from corebank.core.models import Account, IdempotencyKey
from corebank.core.money import fmt, parse_amount, parse_currency, to_decimal
from corebank.core.otp import StepUpTerms, step_up_purpose
from corebank.core.settings import get_settings
from corebank.soap import params as p

SCOPE = "soap.paybill"
STEP_UP_PURPOSE = "bill"
MAX_TEMPLATES = 20


def _provider_view(item: providers.Provider) -> dict:
    return {
        "ProviderId": item.id, "Name": item.name, "Category": item.category,
        "AccountLabel": item.account.label, "AccountPattern": item.account.hint,
        "Fields": [("Field", {
            "Name": f.name, "Label": f.label, "Regex": f.regex, "Hint": f.hint,
            "Example": f.example, "Check": f.check or None, "Required": f.required,
        }) for f in item.fields],
        "Aliases": [("Alias", a) for a in item.aliases],
        "ShowsDebt": item.shows_debt, "MinAmount": item.min_amount,
        "MaxAmount": item.max_amount, "FeeFixed": item.fee_fixed,
        "FeePercent": item.fee_percent,
    }


def list_providers(_session: Session, params: dict) -> dict:
    items = providers.list_providers(p.text(params, "Category", required=False))
    return {"Providers": [("Provider", _provider_view(item)) for item in items]}


def current_debt(session: Session, provider: providers.Provider,
                 account: str) -> tuple[Decimal, str]:
    """What the account owes now: the provider's bill for the month less what was paid to it
    through the bank since the month began (by anyone), never below zero."""
    billed, period = providers.debt_for(provider, account)
    year, month = (int(part) for part in period.split("-"))
    paid = session.execute(
        select(func.coalesce(func.sum(BillPayment.amount), 0))
        .where(BillPayment.provider_id == provider.id, BillPayment.account == account,
               BillPayment.created_at >= datetime(year, month, 1))
    ).scalar_one()
    return max(billed - to_decimal(paid), Decimal("0.00")).quantize(Decimal("0.01")), period


def get_debt(session: Session, params: dict) -> dict:
    provider = providers.get_provider(p.text(params, "ProviderId"))
    account = provider.check_account(p.text(params, "Account"))
    amount, period = current_debt(session, provider, account)
    return {"ProviderId": provider.id, "Account": account,
            "Debt": {"Amount": amount, "Currency": "UAH"}, "Period": period}


def _amount(params: dict) -> Decimal:
    amount_el = params.get("Amount")
    if not isinstance(amount_el, dict):
        raise BankError("invalid_request", "Amount must hold Value and Currency.", 422)
    amount = parse_amount(amount_el.get("Value"))
    currency = parse_currency(amount_el.get("Currency") or "UAH")
    if currency != "UAH":
        raise BankError("unknown_currency", "Bills are paid in UAH.")
    return amount


def _own_phone(session: Session, params: dict) -> tuple[providers.Provider, str]:
    """OwnPhone: the logged-in customer's own number, its operator inferred from the prefix
    when no ProviderId is given."""
    phone = p.customer(session, params).phone
    provider_id = p.text(params, "ProviderId", required=False)
    candidates = ([providers.get_provider(provider_id)] if provider_id
                  else providers.list_providers("mobile"))
    for provider in candidates:
        try:
            return provider, provider.check_account(phone)
        except BankError:
            continue
    raise BankError("not_found", "No mobile operator in the catalog serves your number.",
                    field="Account")


def get_own_phone(session: Session, params: dict) -> dict:
    """The logged-in customer's own number as a mobile account, with its operator."""
    provider, account = _own_phone(session, params)
    return {"ProviderId": provider.id, "ProviderName": provider.name, "Account": account}


def _source(session: Session, customer, params: dict, currency: str = "UAH") -> str:
    """The account a bill is paid from: the card's (CardId) or the primary account."""
    if p.text(params, "CardId", required=False):
        card = p.card(session, customer, params)
        if card.status == "blocked":
            raise BankError("card_blocked", "The card is blocked.")
        if card.status == "frozen":
            raise BankError("card_frozen", "The card is locked; unlock it first.")
        return card.account_id
    source = session.execute(
        select(Account.id).where(Account.customer_id == customer.customer_id,
                                 Account.currency == currency, Account.kind == "customer")
        .order_by(Account.created_at, Account.id).limit(1)
    ).scalar_one_or_none()
    if source is None:
        raise BankError("not_found", "You have no account to pay from.")
    return source


def _check_funds(session: Session, customer, params: dict, total: Decimal) -> None:
    """The quote says "not enough money" before the customer confirms or is sent a step-up
    code (a read: the posting checks again under its lock)."""
    account = session.get(Account, _source(session, customer, params))
    ledger.refuse_if_frozen(session, account.id)  # said at the quote, before any confirmation
    available = to_decimal(account.balance) + to_decimal(account.credit_limit)
    if available < total:
        raise BankError("insufficient_funds",
                        f"Not enough money on the account: the total with the fee is "
                        f"{fmt(total)} UAH, {fmt(max(available, Decimal('0')))} UAH is available.",
                        total=fmt(total), available=fmt(available))


def quote_bill(session: Session, params: dict) -> dict:
    """Fee, total and whether a step-up code is needed. With the customer's Identity (always
    for OwnPhone) it also checks that the account (CardId, or the primary one) can pay the
    total: insufficient_funds before any confirmation or code."""
    if str(params.get("OwnPhone") or "").lower() == "true":
        provider, account = _own_phone(session, params)
    else:
        provider = providers.get_provider(p.text(params, "ProviderId"))
        account = provider.check_account(p.text(params, "Account"))
    provider.check_meter(p.text(params, "Meter", required=False))
    amount = _amount(params)
    provider.check_amount(amount)
    fee = provider.fee(amount)
    if p.text(params, "Identity", required=False):
        _check_funds(session, p.customer(session, params), params, amount + fee)
    return {"ProviderId": provider.id, "ProviderName": provider.name, "Account": account,
            "Amount": {"Value": fmt(amount), "Currency": "UAH"}, "Fee": fee,
            "Total": amount + fee,
            "RequiresStepUp": amount + fee > get_settings().step_up_threshold}


@step_up_purpose("bill")
def bill_step_up(_session: Session, _customer_id: str, _reference: str,
                 body: dict) -> StepUpTerms:
    """A bill payment has no stored quote: the code is bound to the total and the provider's
    account the client names (the payment must match them to spend the token)."""
    amount, target = body.get("amount"), body.get("target")
    if not amount or not target or ":" not in target:
        raise BankError("step_up_terms_required", "A bill step-up needs 'amount' (the total) "
                        "and 'target' ('<provider id>:<account>').", field="target")
    provider = providers.get_provider(target.split(":", 1)[0])
    return StepUpTerms(confirms=f"a payment of {fmt(Decimal(amount))} UAH to {provider.name}",
                       amount=fmt(Decimal(amount)), target=target)


def pay_bill(session: Session, params: dict) -> dict:
    key = validate_idempotency_key(p.text(params, "IdempotencyKey"))
    customer = p.customer(session, params)
    provider = providers.get_provider(p.text(params, "ProviderId"))
    account_no = provider.check_account(p.text(params, "Account"))
    meter = provider.check_meter(p.text(params, "Meter", required=False))
    amount = _amount(params)
    currency = "UAH"
    provider.check_amount(amount)
    fee = provider.fee(amount)
    card_ref = p.text(params, "CardId", required=False)
    digest = request_hash({"customer": customer.customer_id, "provider": provider.id,
                           "account": account_no, "amount": str(amount),
                           "currency": currency, "card": card_ref, "meter": meter})
    stored = idempotent(session, key, digest, SCOPE)
    if stored is not None:
        return stored.body  # a repeat: the first answer, nothing paid again
    source = _source(session, customer, params, currency)
    settlement = ledger.system_account(session, "settlement", currency)
    postings = [(source, -(amount + fee)), (settlement, amount)]
    if fee:
        postings.append((ledger.system_account(session, "fees", currency), fee))
    result = ledger.post_journal(
        session, postings, currency,
        f"{provider.name}, {provider.account.label.lower()} {account_no}",
        idempotency_key=f"{SCOPE}:{key}", request_hash=digest, kind="bill_payment")
    if amount + fee > get_settings().step_up_threshold:
        # After the posting (one transaction: a refused code rolls it back), so a payment that
        # can't go through anyway says why before asking for a code. The token is bound to
        # this payment: the step-up challenge's reference is its idempotency key.
        consume_step_up(session, customer.customer_id,
                        p.text(params, "StepUpToken", required=False), key, "bill",
                        amount=amount + fee, target=f"{provider.id}:{account_no}")
    receipt_no = "R" + result.journal_id[4:].upper()
    if not result.replayed:
        session.add(BillPayment(id=result.journal_id, customer_id=customer.customer_id,
                                provider_id=provider.id, category=provider.category,
                                account=account_no, amount=amount, fee=fee, currency=currency,
                                receipt_no=receipt_no, created_at=result.created_at))
    payload = {
        "PaymentId": result.journal_id,
        "Status": "completed",
        "ProviderId": provider.id,
        "ProviderName": provider.name,
        "Account": account_no,
        "Amount": {"Value": fmt(amount), "Currency": currency},
        "Fee": fmt(fee),
        "Total": fmt(amount + fee),
        "BalanceAfter": fmt(result.balance_after(source)),
        "ReceiptNo": receipt_no,
        "At": iso(result.created_at),
    }
    remember_response(session, key, SCOPE, payload)
    return payload


def find_bill_payment(session: Session, params: dict) -> dict:
    """The payment made with an idempotency key, or not_found: how a client that timed out
    learns whether its PayBill went through before it tells anyone anything (a read)."""
    customer = p.customer(session, params)
    key = validate_idempotency_key(p.text(params, "IdempotencyKey"))
    row = session.execute(select(IdempotencyKey.response_json).where(
        IdempotencyKey.scope == SCOPE, IdempotencyKey.key == key)).scalar_one_or_none()
    body = json.loads(row) if row else None
    payment = session.get(BillPayment, body["PaymentId"]) if body else None
    if payment is None or payment.customer_id != customer.customer_id:
        raise BankError("not_found", "No payment with this key.", field="IdempotencyKey")
    return body


def _since(params: dict) -> datetime | None:
    raw = p.text(params, "Since", required=False)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise BankError("invalid_request", "Since must be an ISO date.", 422,
                        field="Since") from exc


def list_bill_payments(session: Session, params: dict) -> dict:
    customer = p.customer(session, params)
    stmt = select(BillPayment).where(BillPayment.customer_id == customer.customer_id)
    provider_id = p.text(params, "ProviderId", required=False)
    category = p.text(params, "Category", required=False)
    since = _since(params)
    if provider_id:
        stmt = stmt.where(BillPayment.provider_id == provider_id)
    if category:
        stmt = stmt.where(BillPayment.category == category)
    if since:
        stmt = stmt.where(BillPayment.created_at >= since)
    try:
        limit = max(1, min(100, int(p.text(params, "Limit", required=False) or 50)))
    except ValueError as exc:
        raise BankError("invalid_request", "Limit must be a number.", 422) from exc
    rows = session.execute(stmt.order_by(BillPayment.created_at.desc()).limit(limit)).scalars()
    return {"Payments": [("Payment", {
        "PaymentId": r.id, "Status": "completed", "ProviderId": r.provider_id,
        "ProviderName": providers.PROVIDERS[r.provider_id].name
        if r.provider_id in providers.PROVIDERS else r.provider_id,
        "Category": r.category, "Account": r.account,
        "Amount": {"Value": fmt(r.amount), "Currency": r.currency}, "Fee": fmt(r.fee),
        "ReceiptNo": r.receipt_no, "At": iso(r.created_at),
    }) for r in rows]}


def _template_view(t: BillTemplate) -> dict:
    return {"TemplateId": t.id, "Name": t.name, "ProviderId": t.provider_id,
            "Account": t.account, "Amount": fmt(t.amount) if t.amount is not None else None}


def save_bill_template(session: Session, params: dict) -> dict:
    customer = p.customer(session, params)
    provider = providers.get_provider(p.text(params, "ProviderId"))
    account = provider.check_account(p.text(params, "Account"))
    name = (p.text(params, "Name") or "").strip()[:60]
    raw_amount = p.text(params, "Amount", required=False)
    # A provider that reports debts is paid what is owed at the time: its template keeps no
    # amount, so using it quotes the current debt instead of re-paying an old bill.
    amount = parse_amount(raw_amount) if raw_amount and not provider.shows_debt else None
    if amount is not None:
        provider.check_amount(amount)
    existing = session.execute(select(BillTemplate).where(
        BillTemplate.customer_id == customer.customer_id, BillTemplate.name == name)
    ).scalar_one_or_none()
    if existing is not None:  # saving under the same name again replaces it
        existing.provider_id, existing.account, existing.amount = provider.id, account, amount
        return _template_view(existing)
    count = len(session.execute(select(BillTemplate.id).where(
        BillTemplate.customer_id == customer.customer_id)).all())
    if count >= MAX_TEMPLATES:
        raise BankError("limit_exceeded", f"You can keep up to {MAX_TEMPLATES} templates.")
    template = BillTemplate(id=new_id("tpl_"), customer_id=customer.customer_id, name=name,
                            provider_id=provider.id, account=account, amount=amount)
    session.add(template)
    try:
        session.flush()
    except IntegrityError as exc:
        raise BankError("idempotency_conflict", "A template with this name exists.") from exc
    return _template_view(template)


def list_bill_templates(session: Session, params: dict) -> dict:
    customer = p.customer(session, params)
    rows = session.execute(select(BillTemplate).where(
        BillTemplate.customer_id == customer.customer_id).order_by(BillTemplate.created_at)
    ).scalars()
    return {"Templates": [("Template", _template_view(t)) for t in rows]}


def delete_bill_template(session: Session, params: dict) -> dict:
    customer = p.customer(session, params)
    template_id = p.text(params, "TemplateId")
    deleted = session.execute(delete(BillTemplate).where(
        BillTemplate.customer_id == customer.customer_id, BillTemplate.id == template_id)
    ).rowcount
    if not deleted:
        raise BankError("not_found", "No such template.", field="TemplateId")
    return {"TemplateId": template_id, "Deleted": True}


OPERATIONS = {
    "ListProviders": list_providers,
    "GetDebt": get_debt,
    "GetOwnPhone": get_own_phone,
    "QuoteBill": quote_bill,
    "PayBill": pay_bill,
    "FindBillPayment": find_bill_payment,
    "ListBillPayments": list_bill_payments,
    "SaveBillTemplate": save_bill_template,
    "ListBillTemplates": list_bill_templates,
    "DeleteBillTemplate": delete_bill_template,
}
