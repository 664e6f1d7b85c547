"""Transfer receipts as pictures: a PNG drawn with Pillow (fonts from `actions.common.drawing`),
published through `actions.common.media`. Only what the bank returned is drawn: masked card,
masked name, amounts, receipt number, date. Never a full card number.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from PIL import Image, ImageDraw

from actions.common.drawing import font
from actions.common.media import publish_png
from actions.common.money import DEFAULT_CURRENCY, money_text
from bankclient.money import from_api

WIDTH = 720
MARGIN = 48
ROW = 46
BRAND = (32, 46, 84)
GREY = (110, 116, 130)
INK = (20, 24, 32)
GREEN = (22, 140, 80)
BANK_TITLE = "MESSENGER BANK"


def _when(value: Any) -> str:
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")[:19]
    return at.strftime("%d %b %Y, %H:%M UTC") if at.tzinfo else at.strftime("%d %b %Y, %H:%M")


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
        ("Date", _when(receipt.get("at"))),
        ("To card", recipient or "-"),
        ("Route", route),
        ("Amount", money_text(receipt.get("amount"), currency, "-")),
        ("Fee", money_text(receipt.get("fee") or "0", currency, "-")),
        ("Total", money_text(total, currency, "-") if total != "" else "-"),
        ("Status", "Completed"),
    ]


def render_receipt(receipt: dict[str, Any]) -> bytes:
    """PNG bytes of the receipt for a completed transfer (the bank's transfer answer)."""
    rows = receipt_rows(receipt)
    height = 190 + ROW * len(rows) + 70
    image = Image.new("RGB", (WIDTH, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 110), fill=BRAND)
    draw.text((MARGIN, 28), BANK_TITLE, font=font(30, bold=True), fill=(255, 255, 255))
    draw.text((MARGIN, 70), "Transfer receipt", font=font(22), fill=(210, 220, 240))
    y = 140
    for label, value in rows:
        draw.text((MARGIN, y), label, font=font(22), fill=GREY)
        color = GREEN if label == "Status" else INK
        bold = label in ("Total", "Status")
        value_font = font(22, bold=bold)
        width = draw.textlength(value, font=value_font)
        draw.text((WIDTH - MARGIN - width, y), value, font=value_font, fill=color)
        y += ROW
        draw.line((MARGIN, y - 10, WIDTH - MARGIN, y - 10), fill=(232, 234, 240), width=1)
    draw.text(
        (MARGIN, y + 20),
        "This receipt confirms the transfer was completed by the bank.",
        font=font(16),
        fill=GREY,
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def receipt_url(receipt: dict[str, Any]) -> str:
    """Render and publish the receipt; the URL a messenger can fetch."""
    return publish_png(render_receipt(receipt))
