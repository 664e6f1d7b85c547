"""Receipts of money moves, shared by every capability: a picture for the chat (PNG drawn with
Pillow, fonts from `actions.common.drawing`) and the same receipt as a PDF document (fpdf2), both
published through `actions.common.media`.

A capability gives a title and the rows (label, value) of what the bank returned — masked card
numbers only, never a full one — and sends both:

    image_url, pdf_url = publish_receipt("Transfer receipt", rows, footer)
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from fpdf import FPDF
from PIL import Image, ImageDraw

from actions.common.drawing import font
from actions.common.media import publish_pdf, publish_png

WIDTH = 720
MARGIN = 48
ROW = 46
BRAND = (32, 46, 84)
GREY = (110, 116, 130)
INK = (20, 24, 32)
GREEN = (22, 140, 80)
BANK_TITLE = "MESSENGER BANK"
EMPHASISED = ("Total", "Status")

Rows = list[tuple[str, str]]


def when(value: Any) -> str:
    """The bank's ISO timestamp as a receipt shows it."""
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")[:19]
    return at.strftime("%d %b %Y, %H:%M UTC") if at.tzinfo else at.strftime("%d %b %Y, %H:%M")


def render_png(title: str, rows: Rows, footer: str) -> bytes:
    height = 190 + ROW * len(rows) + 70
    image = Image.new("RGB", (WIDTH, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 110), fill=BRAND)
    draw.text((MARGIN, 28), BANK_TITLE, font=font(30, bold=True), fill=(255, 255, 255))
    draw.text((MARGIN, 70), title, font=font(22), fill=(210, 220, 240))
    y = 140
    for label, value in rows:
        draw.text((MARGIN, y), label, font=font(22), fill=GREY)
        color = GREEN if label == "Status" else INK
        value_font = font(22, bold=label in EMPHASISED)
        width = draw.textlength(value, font=value_font)
        draw.text((WIDTH - MARGIN - width, y), value, font=value_font, fill=color)
        y += ROW
        draw.line((MARGIN, y - 10, WIDTH - MARGIN, y - 10), fill=(232, 234, 240), width=1)
    draw.text((MARGIN, y + 20), footer, font=font(16), fill=GREY)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)  # optimize=True costs ~5x the time
    return out.getvalue()


def _latin1(text: str) -> str:
    """The PDF's core font is Latin-1: the bullets of masked numbers and dashes are replaced."""
    text = text.replace("•", "*").replace("–", "-").replace("—", "-").replace("₴", "UAH")
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(title: str, rows: Rows, footer: str) -> bytes:
    pdf = FPDF(format=(148, 210))  # A5 in mm
    pdf.set_creator(BANK_TITLE)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, pdf.w, 28, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(10, 7)
    pdf.cell(0, 8, BANK_TITLE)
    pdf.set_font("Helvetica", "", 11)
    pdf.set_xy(10, 16)
    pdf.cell(0, 6, _latin1(title))
    pdf.set_xy(10, 36)
    for label, value in rows:
        pdf.set_text_color(*GREY)
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(50, 9, _latin1(label))
        pdf.set_text_color(*(GREEN if label == "Status" else INK))
        pdf.set_font("Helvetica", "B" if label in EMPHASISED else "", 11)
        pdf.cell(0, 9, _latin1(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_text_color(*GREY)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, _latin1(footer))
    return bytes(pdf.output())


def publish_receipt(title: str, rows: Rows, footer: str) -> tuple[str, str]:
    """Render and publish the receipt → (picture URL, PDF URL) a messenger can fetch."""
    png, pdf = render_png(title, rows, footer), render_pdf(title, rows, footer)
    return publish_png(png), publish_pdf(pdf)
