"""SOAP 1.1 envelope helpers (filled in with the legacy API)."""

from xml.sax.saxutils import escape


def fault_envelope(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        "<soap:Body><soap:Fault><faultcode>soap:Server</faultcode>"
        f"<faultstring>{escape(message)}</faultstring><detail>"
        f'<ErrorCode xmlns="urn:bank:legacy:v1">{escape(code)}</ErrorCode>'
        "</detail></soap:Fault></soap:Body></soap:Envelope>"
    ).encode()
