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
The operations live with their domains (corebank/cards/soap.py, corebank/bills/soap.py);
`corebank.app` hands them to `make_router`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corebank.core.db import session_scope
from corebank.core.errors import BankError
from corebank.core.settings import get_settings
from corebank.soap import envelope

log = logging.getLogger("corebank.soap")
XML = "text/xml; charset=utf-8"

# An operation: (session, parameters of the request) -> payload of the response; it runs in
# one transaction and raises BankError for a SOAP Fault.
Operation = Callable[[Session, dict], dict]


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(content=body, status_code=status, media_type=XML)


def _check_credentials(req: envelope.SoapRequest) -> None:
    settings = get_settings()
    ok = (
        req.username is not None and req.password is not None
        and hmac.compare_digest(req.username.encode(), settings.soap_user.encode())
        and hmac.compare_digest(req.password.encode(), settings.soap_password.encode())
    )
    if not ok:
        raise BankError("unauthorized", "WS-Security authentication failed.")


FAULT_DESCRIPTION = (
    "A SOAP 1.1 Fault (HTTP 500, as SOAP 1.1 requires), `text/xml`. `faultcode` is "
    "`soap:Client` for anything the caller can fix: XML that is malformed, too large, too deep "
    "or carries a DTD/entities (detail/ErrorCode `invalid_request`), failed WS-Security "
    "(`unauthorized`), an unknown operation (`invalid_request`), and every bank error of the "
    "REST code list (`card_not_found`, `card_blocked`, `insufficient_funds`, `login_required`, "
    "...). `soap:Server` (`internal_error`) only for a failure of the bank itself."
)
SOAP_CONTRACT = {
    "requestBody": {
        "required": True,
        "description": "A SOAP 1.1 envelope (namespace urn:bank:legacy:v1, WS-Security "
                       "UsernameToken); operations in the module docstring.",
        "content": {XML.split(";")[0]: {"schema": {"type": "string", "maxLength": 65536}}},
    },
}
SOAP_RESPONSES = {
    400: {"description": "Not valid HTTP (answered by the HTTP server, text/plain).",
          "content": {"text/plain": {"schema": {"type": "string"}}}},
    200: {"description": "The operation's response envelope.",
          "content": {"text/xml": {"schema": {"type": "string"}}}},
    500: {"description": FAULT_DESCRIPTION,
          "content": {"text/xml": {"schema": {"type": "string"}}}},
}


def make_router(operations: dict[str, Operation]) -> APIRouter:
    """POST /soap/legacy dispatching to `operations` by the name of the Body's element."""
    router = APIRouter(tags=["legacy-soap"])

    @router.post("/soap/legacy", openapi_extra=SOAP_CONTRACT, responses=SOAP_RESPONSES,
                 response_class=Response)
    async def soap_endpoint(request: Request) -> Response:
        raw = await request.body()
        try:
            req = envelope.parse_request(raw)
            _check_credentials(req)
            handler = operations.get(req.operation)
            if handler is None:
                raise BankError("invalid_request", f"Unknown operation {req.operation}.", 400)
            payload = await _run(handler, req.params)
            return _xml(envelope.response_envelope(req.operation, payload))
        except BankError as error:
            return _xml(envelope.fault_for(error), 500)
        except Exception:
            log.exception("SOAP operation failed")
            return _xml(envelope.fault_envelope("internal_error", "Internal error.",
                                                client=False), 500)

    return router


async def _run(handler: Operation, params: dict) -> dict:
    def work() -> dict:
        # One transaction per call: a fault rolls everything back.
        with session_scope() as session:
            return handler(session, params)

    return await run_in_threadpool(work)
