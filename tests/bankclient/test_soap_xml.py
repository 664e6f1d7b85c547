"""The SOAP envelope builder, the declarative XML → JSON mapping, faults, and hostile XML."""

from decimal import Decimal

import pytest

from bankclient import errors as e
from bankclient.transport.soap import build_envelope, parse_response
from bankclient.transport.xmlmap import Field, Many, map_xml, parse_xml

ENV = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:leg="urn:bank:legacy:v1"><soapenv:Header/><soapenv:Body>{}</soapenv:Body>'
    "</soapenv:Envelope>"
)


def test_envelope_carries_username_token_and_escapes_values():
    params = {"ProviderId": "kyivstar", "Account": "<x/>"}
    xml = build_envelope("assistant", "p<&>w", "GetDebt", params)
    root = parse_xml(xml)  # our own output is safe to parse back
    token = root.find("Header/Security/UsernameToken")
    assert token.find("Username").text == "assistant"
    assert token.find("Password").text == "p<&>w"
    req = root.find("Body/GetDebt")
    assert req.find("ProviderId").text == "kyivstar" and req.find("Account").text == "<x/>"
    assert b"urn:bank:legacy:v1" in xml and b"<x/>" not in xml


def test_card_status_mapping():
    body = (
        "<leg:GetCardStatusResponse><leg:CardId>card_1</leg:CardId><leg:Status>frozen</leg:Status>"
        "<leg:MaskedPan>•••• 1111</leg:MaskedPan></leg:GetCardStatusResponse>"
    )
    out = parse_response("GetCardStatus", ENV.format(body).encode())
    assert out["card_id"] == "card_1" and out["status"] == "frozen"
    assert out["masked"] == "•••• 1111" and out["status_reason"] is None


def test_debt_mapping_gives_decimal_money():
    body = (
        "<GetDebtResponse xmlns='urn:bank:legacy:v1'><ProviderId>kyivenergo</ProviderId>"
        "<Account>123456</Account><Debt><Amount>1234.56</Amount><Currency>UAH</Currency></Debt>"
        "</GetDebtResponse>"
    )
    out = parse_response("GetDebt", ENV.format(body))
    assert out["amount"] == Decimal("1234.56") and isinstance(out["amount"], Decimal)
    assert out["currency"] == "UAH" and out["period"] is None


def test_list_mapping_repeated_elements():
    body = (
        "<leg:ListProvidersResponse><leg:Providers>"
        "<leg:Provider><leg:ProviderId>kyivstar</leg:ProviderId><leg:Name>Kyivstar</leg:Name>"
        "<leg:Category>mobile</leg:Category><leg:AccountPattern>^\\+380\\d{9}$</leg:AccountPattern>"
        "<leg:ShowsDebt>false</leg:ShowsDebt></leg:Provider>"
        "<leg:Provider><leg:ProviderId>yasno</leg:ProviderId><leg:Name>Yasno</leg:Name>"
        "<leg:Category>utilities</leg:Category><leg:ShowsDebt>true</leg:ShowsDebt></leg:Provider>"
        "</leg:Providers></leg:ListProvidersResponse>"
    )
    out = parse_response("ListProviders", ENV.format(body))
    assert [p["provider_id"] for p in out["providers"]] == ["kyivstar", "yasno"]
    assert out["providers"][0]["shows_debt"] is False and out["providers"][1]["shows_debt"] is True
    assert out["providers"][1]["account_pattern"] is None


def test_generic_mapper_on_arbitrary_spec():
    root = parse_xml(
        "<a xmlns='urn:x'><b><c>1.50</c><d>x</d></b><i><v>1</v></i><i><v>2</v></i></a>"
    )
    spec = {
        "c": ("b/c", Decimal),
        "d": "b/d",
        "missing": Field("b/zzz", required=False, default="-"),
        "items": Many("i", {"v": ("v", int)}),
    }
    assert map_xml(root, spec) == {
        "c": Decimal("1.50"), "d": "x", "missing": "-", "items": [{"v": 1}, {"v": 2}]
    }


def test_missing_or_bad_required_field_is_invalid_response():
    body = "<leg:GetDebtResponse><leg:ProviderId>p</leg:ProviderId></leg:GetDebtResponse>"
    with pytest.raises(e.InvalidResponse):
        parse_response("GetDebt", ENV.format(body))
    body = (
        "<leg:GetDebtResponse><leg:ProviderId>p</leg:ProviderId><leg:Account>1</leg:Account>"
        "<leg:Debt><leg:Amount>lots</leg:Amount><leg:Currency>UAH</leg:Currency></leg:Debt>"
        "</leg:GetDebtResponse>"
    )
    with pytest.raises(e.InvalidResponse):
        parse_response("GetDebt", ENV.format(body))


def _fault(code, extra="", faultcode="soapenv:Client"):
    return ENV.format(
        f"<soapenv:Fault><faultcode>{faultcode}</faultcode><faultstring>refused</faultstring>"
        f"<detail><leg:ErrorCode>{code}</leg:ErrorCode>{extra}</detail></soapenv:Fault>"
    )


def test_faults_become_the_same_typed_errors():
    with pytest.raises(e.CardBlocked) as info:
        parse_response("LockCard", _fault("card_blocked"), 400)
    assert info.value.code == "card_blocked" and info.value.message == "refused"
    with pytest.raises(e.InsufficientFunds):
        parse_response("PayBill", _fault("insufficient_funds"))
    with pytest.raises(e.OtpLocked) as info:
        parse_response("PayBill", _fault("otp_locked", "<leg:RetryAfter>900</leg:RetryAfter>"))
    assert info.value.retry_after == 900
    with pytest.raises(e.Unauthorized):
        parse_response("GetCardStatus", _fault("unauthorized"), 401)


def test_fault_with_wrapped_detail_and_server_fault_without_code():
    wrapped = ENV.format(
        "<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>no</faultstring>"
        "<detail><leg:BankFault><leg:ErrorCode>not_found</leg:ErrorCode></leg:BankFault></detail>"
        "</soapenv:Fault>"
    )
    with pytest.raises(e.NotFound):
        parse_response("GetDebt", wrapped)
    server = ENV.format(
        "<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>down</faultstring>"
        "</soapenv:Fault>"
    )
    with pytest.raises(e.BankUnavailable):
        parse_response("GetDebt", server, 500)


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
]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<GetCardStatusResponse xmlns="urn:bank:legacy:v1"><CardId>c</CardId><Status>&lol9;</Status>
</GetCardStatusResponse></soapenv:Body></soapenv:Envelope>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<GetCardStatusResponse xmlns="urn:bank:legacy:v1"><CardId>c</CardId><Status>&xxe;</Status>
</GetCardStatusResponse></soapenv:Body></soapenv:Envelope>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/>
</soapenv:Envelope>"""


@pytest.mark.parametrize(
    "hostile", [BILLION_LAUGHS, XXE, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"]
)
def test_hostile_xml_is_refused_never_expanded(hostile):
    with pytest.raises(e.InvalidResponse) as info:
        parse_response("GetCardStatus", hostile.encode())
    err = info.value
    assert err.code == "invalid_response" and isinstance(err, e.BankError)
    text = f"{err!r} {err.message} {err.details}"
    assert "root:" not in text and "lollol" not in text
    assert e.user_message(err).startswith("The bank sent an answer I couldn't read")


@pytest.mark.parametrize(
    "junk", [b"", b"not xml", b"<a><b></a>", b"<html><body>502</body></html>"]
)
def test_malformed_or_non_soap_is_invalid_response(junk):
    with pytest.raises(e.InvalidResponse):
        parse_response("GetCardStatus", junk)
