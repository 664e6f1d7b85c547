"""Safe XML parsing and the declarative XML → JSON mapping used by the legacy SOAP client.

A mapping is a dict of output key → field spec, applied by one generic function:
    "status": "Status"                              text at a path (local names, "/"-separated)
    "balance": ("Balance/Amount", Decimal)          text converted
    "note": Field("Note", required=False)           optional (missing → default)
    "providers": Many("Providers/Provider", {...})  repeated element → list of mapped dicts
Namespaces are ignored (matched on local names) because the legacy system is inconsistent with
prefixes, and the mapping stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import InvalidResponse

MAX_XML_BYTES = 1_000_000


@dataclass(frozen=True)
class Field:
    path: str
    convert: Callable[[str], Any] = str
    required: bool = True
    default: Any = None


@dataclass(frozen=True)
class Many:
    path: str
    item: Mapping[str, Any] = field(default_factory=dict)


Spec = Mapping[str, "str | tuple[str, Callable[[str], Any]] | Field | Many"]


def parse_xml(data: bytes | str) -> Element:
    """Parse untrusted XML: no DTD, no entities, no external references, bounded size.
    Anything hostile or malformed becomes InvalidResponse and is never expanded."""
    if len(data) > MAX_XML_BYTES:
        raise InvalidResponse("XML answer too large")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InvalidResponse(f"refused hostile XML ({type(exc).__name__})") from exc
    except (ParseError, ValueError) as exc:
        raise InvalidResponse("malformed XML") from exc
    _strip_namespaces(root)
    return root


def _strip_namespaces(root: Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
        if any("}" in k for k in el.attrib):
            el.attrib = {k.split("}", 1)[-1]: v for k, v in el.attrib.items()}


def find(el: Element, path: str) -> Element | None:
    node: Element | None = el
    for name in path.strip("/").split("/"):
        if node is None:
            return None
        node = node.find(name)
    return node


def text_at(el: Element, path: str, default: str = "") -> str:
    node = find(el, path)
    return default if node is None else (node.text or "").strip()


def find_all(el: Element, path: str) -> list[Element]:
    parent_path, _, name = path.strip("/").rpartition("/")
    parent = find(el, parent_path) if parent_path else el
    return [] if parent is None else parent.findall(name)


def map_xml(el: Element, spec: Spec) -> dict[str, Any]:
    """Apply a declarative mapping to an element; a missing required field or a value that does
    not convert is an InvalidResponse (the bank's answer is not what the contract says)."""
    out: dict[str, Any] = {}
    for key, raw in spec.items():
        if isinstance(raw, Many):
            out[key] = [map_xml(item, raw.item) for item in find_all(el, raw.path)]
            continue
        f = _as_field(raw)
        node = find(el, f.path)
        text = None if node is None else (node.text or "").strip()
        if text is None or (text == "" and f.convert is not str):
            if f.required:
                raise InvalidResponse(f"XML answer lacks {f.path}")
            out[key] = f.default
            continue
        try:
            out[key] = f.convert(text)
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise InvalidResponse(f"XML answer has a bad {f.path}") from exc
    return out


def _as_field(raw: Any) -> Field:
    if isinstance(raw, Field):
        return raw
    if isinstance(raw, tuple):
        return Field(raw[0], raw[1])
    return Field(str(raw))


def to_decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError("not a finite amount")
    return value


def to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def snake(name: str) -> str:
    """'AttemptsLeft' → 'attempts_left' (fault details become the same keys as the REST API's)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def children_as_dict(el: Element | None) -> dict[str, str]:
    if el is None:
        return {}
    return {snake(child.tag): (child.text or "").strip() for child in el if len(child) == 0}
