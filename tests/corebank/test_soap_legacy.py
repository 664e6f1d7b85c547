"""Legacy SOAP API: realistic envelopes, WS-Security, hostile XML, card ops, bills."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from .helpers import DEMO_IRYNA, DEMO_OLENA, DEMO_TARAS, new_identity, new_key

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "urn:bank:legacy:v1"


def envelope(bank, operation: str, body_xml: str, password: str | None = None) -> bytes:
    password = bank.soap_password if password is None else password
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:leg="{NS}">
  <soapenv:Header>
    <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
      <wsse:UsernameToken>
        <wsse:Username>{bank.soap_user}</wsse:Username>
        <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{password}</wsse:Password>
      </wsse:UsernameToken>
    </wsse:Security>
  </soapenv:Header>
  <soapenv:Body>
    <leg:{operation}>{body_xml}</leg:{operation}>
  </soapenv:Body>
</soapenv:Envelope>""".encode()


def post(bank, data: bytes):
    resp = bank.http.post("/soap/legacy", content=data,
                          headers={"Content-Type": "text/xml; charset=utf-8",
                                   "SOAPAction": '"urn:bank:legacy:v1#Op"'})
    root = ET.fromstring(resp.content)
    return resp, root


def call(bank, operation, body_xml, password=None):
    return post(bank, envelope(bank, operation, body_xml, password))


def value(root, path: str) -> str | None:
    el = root.find(f"{{{SOAP}}}Body/" + "/".join(f"{{{NS}}}{p}" for p in path.split("/")))
    return None if el is None else el.text


def fault_code(root) -> str | None:
    return root.findtext(f"{{{SOAP}}}Body/{{{SOAP}}}Fault/detail/{{{NS}}}ErrorCode")


@pytest.fixture(scope="module")
def bank(corebank_factory):
    return corebank_factory()


def _login_card(bank, phone):
    identity = new_identity()
    bank.login(phone, identity)
    cards = bank.http.get("/api/v1/me/cards", headers=bank.headers(identity=identity)).json()
    return identity, cards


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
    identity, cards = _login_card(bank, DEMO_TARAS)
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


def test_card_lock_unlock_cycle(bank):
    identity, cards = _login_card(bank, DEMO_TARAS)
    ref = (f"<leg:Identity>{identity}</leg:Identity>"
           f"<leg:CardId>{cards[0]['card_token']}</leg:CardId>")
    _, root = call(bank, "GetCardStatus", ref)
    assert value(root, "GetCardStatusResponse/Status") == "active"
    assert value(root, "GetCardStatusResponse/MaskedPan") == cards[0]["masked"]
    _, root = call(bank, "LockCard", ref)
    assert value(root, "LockCardResponse/Status") == "frozen"
    _, root = call(bank, "LockCard", ref)  # repeating is harmless
    assert value(root, "LockCardResponse/Status") == "frozen"
    _, root = call(bank, "UnlockCard", ref)
    assert value(root, "UnlockCardResponse/Status") == "active"


def test_card_of_someone_else_is_not_found(bank):
    identity, _ = _login_card(bank, DEMO_TARAS)
    _, olena_cards = _login_card(bank, DEMO_OLENA)
    _, root = call(bank, "LockCard", f"<leg:Identity>{identity}</leg:Identity>"
                                     f"<leg:CardId>{olena_cards[0]['card_id']}</leg:CardId>")
    assert fault_code(root) == "card_not_found"


def test_card_ops_need_a_session(bank):
    _, root = call(bank, "GetCardStatus", f"<leg:Identity>{new_identity()}</leg:Identity>"
                                          "<leg:CardId>card_x</leg:CardId>")
    assert fault_code(root) == "login_required"


def test_block_stolen_card_with_reissue_is_permanent_and_repeatable(bank):
    identity, cards = _login_card(bank, DEMO_IRYNA)
    active = next(c for c in cards if c["status"] == "active")
    ref = f"<leg:Identity>{identity}</leg:Identity><leg:CardId>{active['card_id']}</leg:CardId>"
    _, root = call(bank, "BlockCard", ref + "<leg:Reason>stolen</leg:Reason>"
                                            "<leg:Reissue>true</leg:Reissue>")
    assert value(root, "BlockCardResponse/Status") == "blocked"
    new_id = value(root, "BlockCardResponse/NewCard/CardId")
    assert new_id and new_id != active["card_id"]
    assert value(root, "BlockCardResponse/NewCard/MaskedPan").startswith("•••• ")
    _, again = call(bank, "BlockCard", ref + "<leg:Reason>stolen</leg:Reason>"
                                             "<leg:Reissue>true</leg:Reissue>")
    assert value(again, "BlockCardResponse/NewCard/CardId") == new_id  # no second reissue
    _, root = call(bank, "UnlockCard", ref)
    assert fault_code(root) == "card_blocked"
    cards_after = bank.http.get("/api/v1/me/cards", headers=bank.headers(identity=identity)).json()
    assert any(c["card_id"] == new_id and c["status"] == "active" for c in cards_after)


def test_block_needs_a_valid_reason(bank):
    identity, cards = _login_card(bank, DEMO_TARAS)
    _, root = call(bank, "BlockCard", f"<leg:Identity>{identity}</leg:Identity>"
                                      f"<leg:CardId>{cards[0]['card_id']}</leg:CardId>"
                                      "<leg:Reason>bored</leg:Reason>")
    assert fault_code(root) == "invalid_request"


def test_list_providers_and_debt(bank):
    _, root = call(bank, "ListProviders", "<leg:Category>utilities</leg:Category>")
    providers = root.findall(f".//{{{NS}}}Provider")
    assert len(providers) >= 3
    assert {p.findtext(f"{{{NS}}}Category") for p in providers} == {"utilities"}
    _, root = call(bank, "ListProviders", "")
    categories = {p.findtext(f"{{{NS}}}Category") for p in root.findall(f".//{{{NS}}}Provider")}
    assert categories == {"mobile", "utilities", "tv", "internet", "transport"}
    _, root = call(bank, "GetDebt", "<leg:ProviderId>yasno</leg:ProviderId>"
                                    "<leg:Account>1234567890</leg:Account>")
    assert value(root, "GetDebtResponse/Debt/Currency") == "UAH"
    assert float(value(root, "GetDebtResponse/Debt/Amount")) >= 0
    _, root = call(bank, "GetDebt", "<leg:ProviderId>yasno</leg:ProviderId>"
                                    "<leg:Account>12345</leg:Account>")
    assert fault_code(root) == "invalid_request"


def _pay(bank, identity, key, amount="50.00", account="+380671234567", provider="kyivstar"):
    return call(bank, "PayBill",
                f"<leg:Identity>{identity}</leg:Identity>"
                f"<leg:IdempotencyKey>{key}</leg:IdempotencyKey>"
                f"<leg:ProviderId>{provider}</leg:ProviderId><leg:Account>{account}</leg:Account>"
                f"<leg:Amount><leg:Value>{amount}</leg:Value>"
                f"<leg:Currency>UAH</leg:Currency></leg:Amount>")


def _uah_balance(bank, identity) -> str:
    accounts = bank.http.get("/api/v1/me/accounts", headers=bank.headers(identity=identity))
    return next(a for a in accounts.json() if a["currency"] == "UAH")["balance"]


def test_pay_bill_is_idempotent(bank):
    identity, _ = _login_card(bank, DEMO_TARAS)
    before = _uah_balance(bank, identity)
    key = new_key()
    _, first = _pay(bank, identity, key)
    assert value(first, "PayBillResponse/Status") == "completed", ET.tostring(first)
    payment_id = value(first, "PayBillResponse/PaymentId")
    _, second = _pay(bank, identity, key)
    assert value(second, "PayBillResponse/PaymentId") == payment_id
    after = _uah_balance(bank, identity)
    assert float(before) - float(after) == pytest.approx(50.0)
    _, conflict = _pay(bank, identity, key, amount="51.00")
    assert fault_code(conflict) == "idempotency_conflict"
    assert bank.check_ledger()["balanced"]


@pytest.mark.parametrize("provider,account,amount,code", [
    ("kyivstar", "+380501112233", "10.00", "invalid_request"),  # a Vodafone number
    ("kyivstar", "+380671234567", "0", "invalid_amount"),
    ("kyivstar", "+380671234567", "6000.00", "invalid_amount"),  # above provider max
    ("teplo", "123456789012", "10.00", "invalid_request"),  # check digit wrong
    ("nosuch", "1", "10.00", "not_found"),
    ("yasno", "1234567890", "45000.00", "insufficient_funds"),
])
def test_pay_bill_rejections_change_nothing(bank, provider, account, amount, code):
    identity, _ = _login_card(bank, DEMO_TARAS)
    before = _uah_balance(bank, identity)
    _, root = _pay(bank, identity, new_key(), amount=amount, account=account, provider=provider)
    assert fault_code(root) == code
    assert _uah_balance(bank, identity) == before
