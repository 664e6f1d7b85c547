"""Transfer receipts: the rows of a completed transfer (masked card, masked name, amounts,
receipt number, date — never a full card number), drawn by `actions.common.receipts` as a
picture and a PDF."""

from __future__ import annotations

from typing import Any

from actions.common.money import DEFAULT_CURRENCY, money_text
from actions.common.receipts import publish_receipt, render_png, when
from bankclient.money import from_api

TITLE = "Transfer receipt"
FOOTER = "This receipt confirms the transfer was completed by the bank."


def receipt_rows(receipt: dict[str, Any]) -> list[tuple[str, str]]:
    currency = str(receipt.get("currency") or DEFAULT_CURRENCY)
    recipient = str(receipt.get("recipient_masked") or "")
    if receipt.get("recipient_name"):
        recipient = f"{recipient} ({receipt['recipient_name']})"
    route = "Own bank, instant" if receipt.get("route") == "own" else "Card network"
    total = receipt.get("total") or ""
    if not total:
        try:
            total = from_api(receipt.get("amount")) + from_api(receipt.get("fee") or "0")
        except (ValueError, ArithmeticError):
            total = ""
    return [
        ("Receipt No.", str(receipt.get("receipt_no") or "-")),
        ("Date", when(receipt.get("at"))),
        ("To card", recipient or "-"),
        ("Route", route),
        ("Amount", money_text(receipt.get("amount"), currency, "-")),
        ("Fee", money_text(receipt.get("fee") or "0", currency, "-")),
        ("Total", money_text(total, currency, "-") if total != "" else "-"),
        ("Status", "Completed"),
    ]


def render_receipt(receipt: dict[str, Any]) -> bytes:
    """PNG bytes of the receipt for a completed transfer (the bank's transfer answer)."""
    return render_png(TITLE, receipt_rows(receipt), FOOTER)


def receipt_urls(receipt: dict[str, Any]) -> tuple[str, str]:
    """Render and publish the receipt → (picture URL, PDF URL)."""
    return publish_receipt(TITLE, receipt_rows(receipt), FOOTER)
