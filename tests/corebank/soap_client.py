"""Helpers of the legacy SOAP tests: realistic envelopes (WS-Security UsernameToken), posting
them, reading values and fault codes of the answer."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from tests.corebank.helpers import new_identity

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


def login_card(bank, phone):
    identity = new_identity()
    bank.login(phone, identity)
    cards = bank.http.get("/api/v1/me/cards", headers=bank.headers(identity=identity)).json()
    return identity, cards
