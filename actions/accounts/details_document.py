"""The bank details as a QR code (PNG, with segno) and a one-page PDF (fpdf2), to share with
whoever pays the customer (an employer for the salary, a client, a friend)."""

from __future__ import annotations

import io
from datetime import date

import segno
from fpdf import FPDF
from stdnum import iban as iban_format

from bankclient import BankDetails


def pretty_iban(value: str) -> str:
    try:
        return iban_format.format(value)
    except Exception:  # noqa: BLE001 - show what the bank gave rather than nothing
        return value


def iban_is_valid(value: str | None) -> bool:
    """The ISO 13616 check (country length, mod-97 checksum) by python-stdnum."""
    return bool(value) and iban_format.is_valid(value)


def detail_rows(details: BankDetails) -> list[tuple[str, str]]:
    rows = [("Recipient", details.holder), ("IBAN", pretty_iban(details.iban)),
            ("Bank", details.bank_name), ("BIC/SWIFT", details.bic),
            ("Bank code", details.bank_code), ("Currency", details.currency)]
    return [(label, str(value)) for label, value in rows if value]


def qr_payload(details: BankDetails) -> str:
    """What a phone camera shows: the details as lines (name, IBAN without spaces, bank)."""
    lines = [details.holder or "", iban_format.compact(details.iban), details.bank_name or "",
             details.bic or "", details.currency or ""]
    return "\n".join(line for line in lines if line)


def qr_png(details: BankDetails) -> bytes:
    out = io.BytesIO()
    segno.make(qr_payload(details), error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def details_pdf(details: BankDetails, today: date | None = None) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title("Bank details")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "Bank details for receiving payments", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 8, f"Issued {(today or date.today()).isoformat()}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in detail_rows(details):
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(45, 9, _latin1(label))
        pdf.set_font("Helvetica", "", 12)
        pdf.cell(0, 9, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.image(io.BytesIO(qr_png(details)), w=45)
    return bytes(pdf.output())
