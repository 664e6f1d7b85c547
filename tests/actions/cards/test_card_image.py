"""The card picture (Pillow)."""

from __future__ import annotations

import io

from PIL import Image, ImageFont

from actions.cards.image import HEIGHT, WIDTH, render_card
from actions.common import drawing


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_card_png_size_and_mode():
    image = open_png(render_card(masked_number="•••• 1234", holder_name="Anna Ivanova",
                                 tariff="tariff", expiry="11/30"))  # fmt: skip
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT) == (856, 540)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # rounded corner: transparent
    assert image.getpixel((WIDTH // 2, HEIGHT // 2))[3] == 255


def test_tiers_look_different_and_text_is_drawn():
    basic = open_png(render_card(masked_number="•••• 1234", holder_name="A B", tariff="basic"))
    tariff = open_png(render_card(masked_number="•••• 1234", holder_name="A B", tariff="tariff"))
    assert basic.getpixel((400, 200)) != tariff.getpixel((400, 200))
    blank = open_png(render_card(masked_number="", holder_name="", tariff="basic"))
    named = open_png(render_card(masked_number="", holder_name="Anna Ivanova", tariff="basic"))
    assert blank.tobytes() != named.tobytes()


def test_only_the_last_four_digits_can_be_drawn():
    # Even if a full number were passed by mistake, only its last 4 digits reach the picture.
    full = render_card(masked_number="4149 4900 0000 1234", holder_name="A B", tariff="basic")
    masked = render_card(masked_number="•••• 1234", holder_name="A B", tariff="basic")
    assert open_png(full).tobytes() == open_png(masked).tobytes()


def test_works_without_system_fonts(monkeypatch):
    """A fresh machine with no DejaVu: Pillow's bundled scalable font is used."""
    monkeypatch.setattr(drawing, "FONT_DIRS", ("/nonexistent",))
    drawing.font.cache_clear()
    try:
        fallback = drawing.font(30)
        assert "DejaVu" not in str(getattr(fallback, "path", ""))
        assert isinstance(fallback, ImageFont.FreeTypeFont)  # scalable: sizes are honoured
        image = open_png(render_card(masked_number="•••• 9876", holder_name="Taras Shevchenko",
                                     tariff="basic", expiry="01/31"))  # fmt: skip
        assert image.size == (WIDTH, HEIGHT)
    finally:
        drawing.font.cache_clear()
