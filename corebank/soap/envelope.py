"""SOAP 1.1 plumbing for the legacy API: safe parsing (defusedxml) and envelope building."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from corebank.core.errors import BankError

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS = "urn:bank:legacy:v1"
MAX_BODY_BYTES = 64 * 1024

ET.register_namespace("soap", SOAP_ENV)
ET.register_namespace("leg", NS)


@dataclass
class SoapRequest:
    operation: str
    params: dict  # local name -> text, or nested dict for elements with children
    username: str | None
    password: str | None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _to_dict(element) -> dict:
    out: dict = {}
    for child in element:
        out[_local(child.tag)] = _to_dict(child) if len(child) else (child.text or "").strip()
    return out


MAX_DEPTH = 32  # Envelope/Body/Operation/params: real messages are under 10 levels deep


def _depth(root) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in node)
    return deepest


def parse_request(raw: bytes) -> SoapRequest:
    """Parse an envelope; DTDs, entity declarations and external references are refused
    (billion laughs, XXE) before any expansion happens."""
    if len(raw) > MAX_BODY_BYTES:
        raise BankError("invalid_request", "The SOAP message is too large.", 400)
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise BankError("invalid_request", "DTDs and entities are not allowed.", 400) from exc
    except ET.ParseError as exc:
        raise BankError("invalid_request", "The message is not well-formed XML.", 400) from exc
    if _depth(root) > MAX_DEPTH:  # checked without recursion, before anything walks the tree
        raise BankError("invalid_request",
                        f"The SOAP message is nested more than {MAX_DEPTH} levels deep.", 400)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise BankError("invalid_request", "Expected a SOAP 1.1 Envelope.", 400)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) != 1:
        raise BankError("invalid_request", "The SOAP Body must hold exactly one operation.", 400)
    operation = body[0]
    if not operation.tag.startswith(f"{{{NS}}}"):
        raise BankError("invalid_request", f"Operations live in the {NS} namespace.", 400)
    token = root.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    username = password = None
    if token is not None:
        username = (token.findtext(f"{{{WSSE}}}Username") or "").strip()
        password = token.findtext(f"{{{WSSE}}}Password") or ""
    return SoapRequest(_local(operation.tag), _to_dict(operation), username, password)


def _fill(parent, value) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            if item is None:
                continue
            if isinstance(item, list):  # repeated elements: [("Provider", {...}), ...]
                holder = ET.SubElement(parent, f"{{{NS}}}{name}")
                for child_name, child_value in item:
                    _fill(ET.SubElement(holder, f"{{{NS}}}{child_name}"), child_value)
            else:
                _fill(ET.SubElement(parent, f"{{{NS}}}{name}"), item)
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    elif isinstance(value, Decimal):
        parent.text = f"{value:.2f}"
    else:
        parent.text = str(value)


def _envelope(fill) -> bytes:
    env = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    body = ET.SubElement(env, f"{{{SOAP_ENV}}}Body")
    fill(body)
    return ET.tostring(env, encoding="utf-8", xml_declaration=True)


def response_envelope(operation: str, payload: dict) -> bytes:
    return _envelope(lambda body: _fill(ET.SubElement(body, f"{{{NS}}}{operation}Response"),
                                        payload))


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def fault_envelope(code: str, message: str, client: bool = True,
                   extra: dict | None = None) -> bytes:
    def fill(body):
        fault = ET.SubElement(body, f"{{{SOAP_ENV}}}Fault")
        ET.SubElement(fault, "faultcode").text = "soap:Client" if client else "soap:Server"
        ET.SubElement(fault, "faultstring").text = message
        detail = ET.SubElement(fault, "detail")
        ET.SubElement(detail, f"{{{NS}}}ErrorCode").text = code
        ET.SubElement(detail, f"{{{NS}}}Message").text = message
        for key, value in (extra or {}).items():
            if not isinstance(value, (dict, list)):
                ET.SubElement(detail, f"{{{NS}}}{_camel(key)}").text = str(value)

    return _envelope(fill)


def fault_for(error: BankError) -> bytes:
    return fault_envelope(error.code, error.message, client=error.status < 500, extra=error.extra)
