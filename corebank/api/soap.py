"""Legacy SOAP/XML API: POST /soap/legacy (SOAP 1.1, WS-Security UsernameToken).

Operations (namespace urn:bank:legacy:v1); every customer operation names the customer by
`Identity` (messenger identity with an active session) and the card by `CardId` (a card id or
its `ctok_` token):
  GetCardStatus / LockCard / UnlockCard (CardId) -> CardId, CardToken, Status, StatusReason,
    MaskedPan, Tariff, Expiry
  BlockCard (CardId, Reason lost|stolen, Reissue true|false) -> the above + NewCard/{CardId,
    CardToken, MaskedPan, Expiry}; blocking an already blocked card repeats the first answer.
  ListProviders (Category?) -> Providers/Provider/{ProviderId, Name, Category, AccountLabel,
    AccountPattern, ShowsDebt, MinAmount, MaxAmount}
  GetDebt (ProviderId, Account) -> ProviderId, Account, Debt/{Amount, Currency}, Period
  PayBill (IdempotencyKey, ProviderId, Account, Amount/{Value, Currency}, CardId?) -> PaymentId,
    Status, ProviderId, Account, Amount/{Value, Currency}, Fee, BalanceAfter, ReceiptNo, At
Errors are SOAP Faults (HTTP 500) with detail/ErrorCode from the REST code list.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank import ledger, providers, soap_xml
from corebank.accounts import issue_card
from corebank.auth import CurrentCustomer, resolve_session, validate_identity
from corebank.config import get_settings
from corebank.db import iso, session_scope
from corebank.errors import BankError
from corebank.models import Account, Card, Customer
from corebank.money import fmt, parse_amount, parse_currency

log = logging.getLogger("corebank.soap")
router = APIRouter(tags=["legacy-soap"])
XML = "text/xml; charset=utf-8"


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(content=body, status_code=status, media_type=XML)


def _check_credentials(req: soap_xml.SoapRequest) -> None:
    settings = get_settings()
    ok = (
        req.username is not None and req.password is not None
        and hmac.compare_digest(req.username.encode(), settings.soap_user.encode())
        and hmac.compare_digest(req.password.encode(), settings.soap_password.encode())
    )
    if not ok:
        raise BankError("unauthorized", "WS-Security authentication failed.")


def _text(params: dict, name: str, required: bool = True) -> str | None:
    value = params.get(name)
    if isinstance(value, dict):
        raise BankError("invalid_request", f"{name} must be a simple value.", 422)
    if value in (None, "") and required:
        raise BankError("invalid_request", f"{name} is required.", 422, field=name)
    return value or None


def _customer(session: Session, params: dict) -> CurrentCustomer:
    identity = validate_identity(_text(params, "Identity"))
    outcome = resolve_session(session, identity)
    if isinstance(outcome, BankError):
        raise outcome
    return outcome


def _card(session: Session, customer: CurrentCustomer, params: dict, lock: bool = False) -> Card:
    ref = _text(params, "CardId") if "CardId" in params else _text(params, "CardToken")
    column = Card.card_token if ref.startswith("ctok_") else Card.id
    stmt = select(Card).where(column == ref)
    if lock:
        stmt = stmt.with_for_update()
    card = session.execute(stmt).scalar_one_or_none()
    if card is None or card.customer_id != customer.customer_id:
        raise BankError("card_not_found", "No such card for this customer.")
    return card


def _card_payload(card: Card) -> dict:
    return {
        "CardId": card.id,
        "CardToken": card.card_token,
        "Status": card.status,
        "StatusReason": card.status_reason,
        "MaskedPan": card.masked,
        "Tariff": card.tariff,
        "Expiry": card.expiry,
    }


def get_card_status(session: Session, params: dict) -> dict:
    return _card_payload(_card(session, _customer(session, params), params))


def lock_card(session: Session, params: dict) -> dict:
    card = _card(session, _customer(session, params), params, lock=True)
    if card.status == "blocked":
        raise BankError("card_blocked", "The card is permanently blocked.")
    if card.status == "active":
        card.status, card.status_reason = "frozen", "temporary"
    return _card_payload(card)


def unlock_card(session: Session, params: dict) -> dict:
    card = _card(session, _customer(session, params), params, lock=True)
    if card.status == "blocked":
        raise BankError("card_blocked", "A blocked card cannot be unlocked; it is reissued.")
    card.status, card.status_reason = "active", None
    return _card_payload(card)


def block_card(session: Session, params: dict) -> dict:
    customer = _customer(session, params)
    card = _card(session, customer, params, lock=True)
    reason = (_text(params, "Reason") or "").lower()
    if reason not in ("lost", "stolen"):
        raise BankError("invalid_request", "Reason must be lost or stolen.", 422, field="Reason")
    reissue = (_text(params, "Reissue", required=False) or "false").lower() in ("true", "1")
    if card.status != "blocked":
        card.status, card.status_reason = "blocked", reason
        if reissue:
            account = session.get(Account, card.account_id)
            owner = session.get(Customer, customer.customer_id)
            new = issue_card(session, owner, account, card.holder_name, card.tariff)
            card.replaced_by = new.id
        log.info("card %s blocked (%s)%s", card.masked, reason, " and reissued" if reissue else "")
    payload = _card_payload(card)
    if card.replaced_by:
        new = session.get(Card, card.replaced_by)
        payload["NewCard"] = {"CardId": new.id, "CardToken": new.card_token,
                              "MaskedPan": new.masked, "Expiry": new.expiry}
    return payload


def list_providers_op(_session: Session, params: dict) -> dict:
    items = providers.list_providers(_text(params, "Category", required=False))
    return {"Providers": [("Provider", {
        "ProviderId": p.id, "Name": p.name, "Category": p.category,
        "AccountLabel": p.account_label, "AccountPattern": p.account_pattern,
        "ShowsDebt": p.shows_debt, "MinAmount": p.min_amount, "MaxAmount": p.max_amount,
    }) for p in items]}


def get_debt(_session: Session, params: dict) -> dict:
    provider = providers.get_provider(_text(params, "ProviderId"))
    account = provider.check_account(_text(params, "Account"))
    amount, period = providers.debt_for(provider, account)
    return {"ProviderId": provider.id, "Account": account,
            "Debt": {"Amount": amount, "Currency": "UAH"}, "Period": period}


def pay_bill(session: Session, params: dict) -> dict:
    key = ledger.validate_idempotency_key(_text(params, "IdempotencyKey"))
    customer = _customer(session, params)
    provider = providers.get_provider(_text(params, "ProviderId"))
    account_no = provider.check_account(_text(params, "Account"))
    amount_el = params.get("Amount")
    if not isinstance(amount_el, dict):
        raise BankError("invalid_request", "Amount must hold Value and Currency.", 422)
    amount = parse_amount(amount_el.get("Value"))
    currency = parse_currency(amount_el.get("Currency") or "UAH")
    if currency != "UAH":
        raise BankError("unknown_currency", "Bills are paid in UAH.")
    provider.check_amount(amount)
    card_ref = _text(params, "CardId", required=False)
    digest = ledger.request_hash({"customer": customer.customer_id, "provider": provider.id,
                                  "account": account_no, "amount": str(amount),
                                  "currency": currency, "card": card_ref})
    scope = "soap.paybill"
    stored = ledger.idempotent(session, key, digest, scope)
    if stored is not None:
        return stored.body
    if card_ref:
        card = _card(session, customer, params)
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
        idempotency_key=f"{scope}:{key}", request_hash=digest, kind="bill_payment")
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
    ledger.remember_response(session, key, scope, payload)
    return payload


OPERATIONS = {
    "GetCardStatus": get_card_status,
    "LockCard": lock_card,
    "UnlockCard": unlock_card,
    "BlockCard": block_card,
    "ListProviders": list_providers_op,
    "GetDebt": get_debt,
    "PayBill": pay_bill,
}


@router.post("/soap/legacy")
async def soap_endpoint(request: Request) -> Response:
    raw = await request.body()
    try:
        req = soap_xml.parse_request(raw)
        _check_credentials(req)
        handler = OPERATIONS.get(req.operation)
        if handler is None:
            raise BankError("invalid_request", f"Unknown operation {req.operation}.", 400)
        payload = await _run(handler, req.params)
        return _xml(soap_xml.response_envelope(req.operation, payload))
    except BankError as error:
        return _xml(soap_xml.fault_for(error), 500)
    except Exception:
        log.exception("SOAP operation failed")
        return _xml(soap_xml.fault_envelope("internal_error", "Internal error.", client=False),
                    500)


async def _run(handler, params: dict) -> dict:
    from starlette.concurrency import run_in_threadpool

    def work() -> dict:
        # One transaction per call: a fault rolls everything back.
        with session_scope() as session:
            return handler(session, params)

    return await run_in_threadpool(work)
