"""`SoapClient`: the low-level client of the core bank's legacy SOAP 1.1 API
(POST /soap/legacy, urn:bank:legacy:v1).

Requests carry a WS-Security UsernameToken. Responses are parsed with defusedxml and converted to
JSON-like dicts by declarative per-operation mappings (`OPERATIONS`) applied by one generic
function (`xmlmap.map_xml`). SOAP Faults carry `detail/ErrorCode` from the same code list as the
REST API and become the same typed errors.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import httpx

from ..config import BankSettings
from ..errors import BankError, BankUnavailable, InvalidResponse, error_from_code
from .http import Deadline, make_client, transport_error, with_retry
from .xmlmap import (
    Field,
    Many,
    Spec,
    children_as_dict,
    find,
    map_xml,
    parse_xml,
    text_at,
    to_bool,
)
from .xmlmap import to_decimal as money

logger = logging.getLogger(__name__)

NS = "urn:bank:legacy:v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)

ET.register_namespace("soapenv", SOAP_ENV)
ET.register_namespace("wsse", WSSE)
ET.register_namespace("leg", NS)


@dataclass(frozen=True)
class Operation:
    name: str  # SOAP operation; request element = name, response element = name + "Response"
    response: Spec  # mapping relative to Body/<name>Response
    idempotent: bool  # safe to send twice (reads, state setters, keyed payments)


_CARD_STATUS: Spec = {
    "card_id": "CardId",
    "card_token": Field("CardToken", required=False),
    "status": "Status",  # active | frozen | blocked
    "status_reason": Field("StatusReason", required=False),  # temporary | lost | stolen
    "masked": Field("MaskedPan", required=False),
    "tariff": Field("Tariff", required=False),
    "expiry": Field("Expiry", required=False),
}

_PAY_BILL: Spec = {
    "payment_id": "PaymentId",
    "status": "Status",
    "provider_id": Field("ProviderId", required=False),
    "provider_name": Field("ProviderName", required=False),
    "account": Field("Account", required=False),
    "amount": ("Amount/Value", money),
    "currency": "Amount/Currency",
    "fee": Field("Fee", money, required=False),
    "total": Field("Total", money, required=False),
    "balance_after": Field("BalanceAfter", money, required=False),
    "receipt_no": Field("ReceiptNo", required=False),
    "at": Field("At", required=False),
}

# A blocked card and its replacement (BlockCard with Reissue, ReissueCard).
_BLOCKED_CARD: Spec = {
    **_CARD_STATUS,
    "new_card_id": Field("NewCard/CardId", required=False),
    "new_card_token": Field("NewCard/CardToken", required=False),
    "new_card_masked": Field("NewCard/MaskedPan", required=False),
    "new_card_expiry": Field("NewCard/Expiry", required=False),
}

OPERATIONS: dict[str, Operation] = {
    "GetCardStatus": Operation("GetCardStatus", _CARD_STATUS, idempotent=True),
    # Setting a state twice is harmless.
    "LockCard": Operation("LockCard", _CARD_STATUS, idempotent=True),
    "UnlockCard": Operation("UnlockCard", _CARD_STATUS, idempotent=True),
    "BlockCard": Operation(
        "BlockCard",
        _BLOCKED_CARD,
        # The bank answers a repeated block of a blocked card with the first answer (no second
        # reissue), so a retry is safe.
        idempotent=True,
    ),
    # A replacement for a blocked card; a repeat gives the same replacement, so retry is safe.
    "ReissueCard": Operation("ReissueCard", _BLOCKED_CARD, idempotent=True),
    "ListProviders": Operation(
        "ListProviders",
        {
            "providers": Many(
                "Providers/Provider",
                {
                    "provider_id": "ProviderId",
                    "name": "Name",
                    "category": "Category",
                    "account_label": Field("AccountLabel", required=False),
                    "account_pattern": Field("AccountPattern", required=False),
                    "fields": Many(
                        "Fields/Field",
                        {
                            "name": "Name",
                            "label": "Label",
                            "regex": "Regex",
                            "hint": Field("Hint", required=False, default=""),
                            "example": Field("Example", required=False, default=""),
                            "check": Field("Check", required=False, default=""),
                            "required": Field("Required", to_bool, required=False, default=True),
                        },
                    ),
                    "aliases": Many("Aliases/Alias", {"name": "."}),
                    "shows_debt": Field("ShowsDebt", to_bool, required=False, default=False),
                    "min_amount": Field("MinAmount", money, required=False),
                    "max_amount": Field("MaxAmount", money, required=False),
                    "fee_fixed": Field("FeeFixed", money, required=False),
                    "fee_percent": Field("FeePercent", money, required=False),
                },
            )
        },
        idempotent=True,
    ),
    "GetDebt": Operation(
        "GetDebt",
        {
            "provider_id": "ProviderId",
            "account": "Account",
            "amount": ("Debt/Amount", money),
            "currency": "Debt/Currency",
            "period": Field("Period", required=False),
        },
        idempotent=True,
    ),
    "GetOwnPhone": Operation(
        "GetOwnPhone",
        {"provider_id": "ProviderId", "name": Field("ProviderName", required=False),
         "account": "Account"},
        idempotent=True,
    ),
    "QuoteBill": Operation(
        "QuoteBill",
        {
            "provider_id": "ProviderId",
            "provider_name": Field("ProviderName", required=False),
            "account": "Account",
            "amount": ("Amount/Value", money),
            "currency": "Amount/Currency",
            "fee": ("Fee", money),
            "total": ("Total", money),
            "requires_step_up": Field("RequiresStepUp", to_bool, required=False, default=False),
        },
        idempotent=True,  # a read
    ),
    "PayBill": Operation(
        "PayBill",
        _PAY_BILL,
        idempotent=True,  # only because every call carries an IdempotencyKey
    ),
    # The answer of the PayBill made with an IdempotencyKey (NotFound: it was never made).
    "FindBillPayment": Operation("FindBillPayment", _PAY_BILL, idempotent=True),
    "ListBillPayments": Operation(
        "ListBillPayments",
        {
            "payments": Many(
                "Payments/Payment",
                {
                    "payment_id": "PaymentId",
                    "status": Field("Status", required=False, default="completed"),
                    "provider_id": "ProviderId",
                    "provider_name": Field("ProviderName", required=False),
                    "category": Field("Category", required=False),
                    "account": "Account",
                    "amount": ("Amount/Value", money),
                    "currency": "Amount/Currency",
                    "fee": Field("Fee", money, required=False),
                    "receipt_no": Field("ReceiptNo", required=False),
                    "at": Field("At", required=False),
                },
            )
        },
        idempotent=True,
    ),
    "SaveBillTemplate": Operation(
        "SaveBillTemplate",
        {
            "template_id": "TemplateId",
            "name": "Name",
            "provider_id": "ProviderId",
            "account": "Account",
            "amount": Field("Amount", money, required=False),
        },
        idempotent=True,  # saving under the same name again replaces the template
    ),
    "ListBillTemplates": Operation(
        "ListBillTemplates",
        {
            "templates": Many(
                "Templates/Template",
                {
                    "template_id": "TemplateId",
                    "name": "Name",
                    "provider_id": "ProviderId",
                    "account": "Account",
                    "amount": Field("Amount", money, required=False),
                },
            )
        },
        idempotent=True,
    ),
    "DeleteBillTemplate": Operation(
        "DeleteBillTemplate",
        {"template_id": "TemplateId", "deleted": Field("Deleted", to_bool, required=False)},
        idempotent=False,  # a second delete answers not_found: not retried
    ),
}


def build_envelope(user: str, password: str, operation: str, params: dict[str, Any]) -> bytes:
    """SOAP 1.1 envelope with a WS-Security UsernameToken; params in the given order (None and
    nested dicts supported). ElementTree escapes every value."""
    env = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    header = ET.SubElement(env, f"{{{SOAP_ENV}}}Header")
    security = ET.SubElement(header, f"{{{WSSE}}}Security")
    token = ET.SubElement(security, f"{{{WSSE}}}UsernameToken")
    ET.SubElement(token, f"{{{WSSE}}}Username").text = user
    pw = ET.SubElement(token, f"{{{WSSE}}}Password", {"Type": PASSWORD_TEXT})
    pw.text = password
    body = ET.SubElement(env, f"{{{SOAP_ENV}}}Body")
    _add_params(ET.SubElement(body, f"{{{NS}}}{operation}"), params)
    return ET.tostring(env, encoding="utf-8", xml_declaration=True)


def _add_params(parent: ET.Element, params: dict[str, Any]) -> None:
    for name, value in params.items():
        if value is None:
            continue
        child = ET.SubElement(parent, f"{{{NS}}}{name}")
        if isinstance(value, dict):
            _add_params(child, value)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        else:
            child.text = str(value)


def parse_response(operation: str, data: bytes | str, status: int | None = None) -> dict:
    """Envelope bytes → mapped dict, or the typed error of its SOAP Fault."""
    root = parse_xml(data)
    if root.tag != "Envelope":
        raise InvalidResponse("not a SOAP envelope", status=status)
    fault = find(root, "Body/Fault")
    if fault is not None:
        raise fault_error(fault, status)
    op = OPERATIONS[operation]
    resp = find(root, f"Body/{op.name}Response")
    if resp is None:
        raise InvalidResponse(f"SOAP answer lacks {op.name}Response", status=status)
    return map_xml(resp, op.response)


def fault_error(fault: ET.Element, status: int | None) -> BankError:
    detail = find(fault, "detail")
    if detail is None:
        detail = find(fault, "Detail")
    details = children_as_dict(detail)
    details.pop("message", None)  # same text as faultstring
    # ErrorCode may sit directly in detail or in a wrapper element (detail/BankFault/ErrorCode).
    code = details.pop("error_code", None)
    if code is None and detail is not None:
        for el in detail.iter("ErrorCode"):
            code = (el.text or "").strip()
            break
        for wrapper in detail:
            details.update(children_as_dict(wrapper))
        details.pop("error_code", None)
        details.pop("message", None)
    message = text_at(fault, "faultstring")
    for key in ("attempts_left", "retry_after"):
        if key in details:
            try:
                details[key] = int(details[key])
            except ValueError:
                pass
    if not code:
        faultcode = text_at(fault, "faultcode")
        # A Server fault without our code: the legacy system itself failed.
        if "Server" in faultcode:
            return BankUnavailable(message or "SOAP server fault", status=status)
        return error_from_code(None, message or "SOAP fault", status=status or 400)
    return error_from_code(code, message, status=status, details=details)


class SoapClient:
    def __init__(self, settings: BankSettings) -> None:
        self.settings = settings
        self._client = make_client(
            self.settings.url,
            self.settings.connect_timeout_seconds,
            self.settings.timeout_seconds,
        )
        self.attempts: Counter[str] = Counter()  # HTTP attempts per operation (retries included)

    async def close(self) -> None:
        await self._client.aclose()

    async def call(self, operation: str, params: dict[str, Any]) -> dict:
        op = OPERATIONS[operation]
        envelope = build_envelope(
            self.settings.soap_user, self.settings.soap_password, op.name, params
        )
        deadline = Deadline(self.settings.timeout_seconds)

        async def attempt() -> dict:
            return await deadline.run(self._send(op, envelope, deadline), f"SOAP {op.name}")

        return await with_retry(
            attempt, deadline=deadline, retry=op.idempotent, what=f"SOAP {op.name}"
        )

    async def _send(self, op: Operation, envelope: bytes, deadline: Deadline) -> dict:
        self.attempts[op.name] += 1
        try:
            resp = await self._client.post(
                "/soap/legacy",
                content=envelope,
                headers={
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": f'"{NS}#{op.name}"',
                },
                timeout=deadline.timeout(self.settings.connect_timeout_seconds),
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, f"SOAP {op.name}") from exc
        if resp.status_code >= 500 and b"Fault" not in resp.content:
            raise BankUnavailable(
                f"SOAP {op.name}: HTTP {resp.status_code}", status=resp.status_code
            )
        try:
            return parse_response(op.name, resp.content, resp.status_code)
        except BankError as err:
            if err.status is None:
                err.status = resp.status_code
            raise
