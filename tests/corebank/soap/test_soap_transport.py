"""Legacy SOAP transport: WS-Security, hostile XML, messages that are not SOAP."""

from __future__ import annotations

import pytest

from tests.corebank.helpers import DEMO_TARAS
from tests.corebank.soap_client import (
    NS,
    SOAP,
    call,
    envelope,
    fault_code,
    login_card,
    post,
    value,
)


@pytest.fixture(scope="module")
def bank(corebank_factory):
    return corebank_factory()


def test_wrong_password_is_a_fault(bank):
    resp, root = call(bank, "ListProviders", "", password="wrong")
    assert resp.status_code == 500
    assert fault_code(root) == "unauthorized"
    assert root.findtext(f"{{{SOAP}}}Body/{{{SOAP}}}Fault/faultcode") == "soap:Client"


def test_missing_security_header_is_a_fault(bank):
    data = f'<s:Envelope xmlns:s="{SOAP}"><s:Body><l:ListProviders xmlns:l="{NS}"/></s:Body>' \
           f"</s:Envelope>".encode()
    _, root = post(bank, data)
    assert fault_code(root) == "unauthorized"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


XXE = """<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>"""


def _hostile(bank, prolog: str, entity: str, identity: str, card_id: str) -> bytes:
    text = envelope(bank, "LockCard",
                    f"<leg:Identity>{identity}</leg:Identity><leg:CardId>{card_id}</leg:CardId>"
                    f"<leg:Note>&{entity};</leg:Note>").decode()
    return (prolog + text.split("?>", 1)[1]).encode()


@pytest.mark.parametrize("prolog,entity", [(BILLION_LAUGHS, "lol9"), (XXE, "xxe")])
def test_hostile_xml_is_refused_and_nothing_runs(bank, prolog, entity):
    identity, cards = login_card(bank, DEMO_TARAS)
    card = cards[0]
    resp, root = post(bank, _hostile(bank, prolog, entity, identity, card["card_id"]))
    assert resp.status_code == 500
    assert fault_code(root) == "invalid_request"
    assert b"root:" not in resp.content
    _, status = call(bank, "GetCardStatus",
                     f"<leg:Identity>{identity}</leg:Identity>"
                     f"<leg:CardId>{card['card_id']}</leg:CardId>")
    assert value(status, "GetCardStatusResponse/Status") == "active"


def test_not_xml_and_not_soap(bank):
    _, root = post(bank, b"this is not xml")
    assert fault_code(root) == "invalid_request"
    _, root = post(bank, b"<a><b/></a>")
    assert fault_code(root) == "invalid_request"
    _, root = call(bank, "DropAllTables", "")
    assert fault_code(root) == "invalid_request"


@pytest.mark.parametrize("levels", [40, 2000, 8500])
def test_deeply_nested_xml_under_64_kb_is_a_soap_fault(bank, levels):
    """Nesting under the size limit used to recurse until an internal error: now a fault."""
    identity, cards = login_card(bank, DEMO_TARAS)
    nested = "<a>" * levels + "x" + "</a>" * levels
    raw = envelope(bank, "GetCardStatus",
                   f"<leg:Identity>{identity}</leg:Identity>"
                   f"<leg:CardId>{cards[0]['card_id']}</leg:CardId>{nested}")
    assert len(raw) < 64 * 1024  # the point: under the size limit
    resp, root = post(bank, raw)
    assert resp.status_code == 500 and fault_code(root) == "invalid_request"
    assert b"nested more than" in resp.content
    _, status = call(bank, "GetCardStatus",  # and the service still answers
                     f"<leg:Identity>{identity}</leg:Identity>"
                     f"<leg:CardId>{cards[0]['card_id']}</leg:CardId>")
    assert value(status, "GetCardStatusResponse/Status") == "active"
