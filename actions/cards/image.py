"""The picture of a freshly issued card: a PNG with the masked number, holder name, tariff, expiry.

Drawn with Pillow only, with the fonts of `actions.common.drawing` (DejaVu Sans, or Pillow's own
when the system has no fonts). The full card number never reaches this module.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw

from actions.common.drawing import font

# ISO/IEC 7810 ID-1 proportions (85.60 × 53.98 mm) at a size messengers show crisply.
WIDTH, HEIGHT = 856, 540
RADIUS = 36

THEMES = {
    # tariff code → (gradient top-left, gradient bottom-right, accent)
    "basic": ((32, 46, 84), (70, 110, 190), (255, 255, 255)),
    "tariff": ((20, 20, 24), (120, 40, 150), (255, 210, 90)),
}
TARIFF_TITLES = {"basic": "Basic digital card", "tariff": "Digital Tariff Card"}
BANK_TITLE = "MESSENGER BANK"


@lru_cache(maxsize=8)
def _background(tariff: str) -> Image.Image:
    top_left, bottom_right, _accent = THEMES.get(tariff, THEMES["basic"])
    return _gradient(top_left, bottom_right)


def _gradient(top_left: tuple[int, int, int], bottom_right: tuple[int, int, int]) -> Image.Image:
    """A diagonal gradient, computed on a small image and scaled up (fast, smooth enough)."""
    small = Image.new("RGB", (64, 40))
    pixels = small.load()
    for x in range(64):
        for y in range(40):
            t = (x / 63 + y / 39) / 2
            pixels[x, y] = tuple(
                int(a + (b - a) * t) for a, b in zip(top_left, bottom_right, strict=True)
            )
    return small.resize((WIDTH, HEIGHT), Image.BILINEAR)


def _chip(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.rounded_rectangle((x, y, x + 90, y + 68), radius=12, fill=(214, 180, 96))
    for dy in (22, 46):
        draw.line((x, y + dy, x + 90, y + dy), fill=(170, 135, 60), width=2)
    draw.line((x + 45, y, x + 45, y + 68), fill=(170, 135, 60), width=2)


def render_card(
    *, masked_number: str, holder_name: str, tariff: str, expiry: str | None = None
) -> bytes:
    """The PNG bytes of the card picture.

    `masked_number` must already be masked (e.g. "•••• 1234"): only the last 4 digits are drawn.
    """
    last4 = "".join(ch for ch in masked_number if ch.isdigit())[-4:]
    accent = THEMES.get(tariff, THEMES["basic"])[2]
    card = _background(tariff).copy()  # cached: the gradient is the same for every card
    draw = ImageDraw.Draw(card)
    white = (255, 255, 255)

    draw.text((56, 44), BANK_TITLE, font=font(34, bold=True), fill=white)
    title = TARIFF_TITLES.get(tariff, tariff)
    draw.text((WIDTH - 56, 50), title, font=font(26), fill=accent, anchor="ra")
    _chip(draw, 56, 150)
    number = "••••  ••••  ••••  " + (last4 or "••••")
    draw.text((56, 270), number, font=font(54, bold=True), fill=white)
    draw.text((56, 400), "CARDHOLDER", font=font(18), fill=(210, 210, 225))
    draw.text((56, 426), holder_name.upper()[:26], font=font(34, bold=True), fill=white)
    if expiry:
        draw.text((WIDTH - 56, 400), "VALID THRU", font=font(18), fill=(210, 210, 225),
                  anchor="ra")  # fmt: skip
        draw.text((WIDTH - 56, 426), expiry, font=font(34, bold=True), fill=white, anchor="ra")

    # Rounded corners: transparent outside the card outline.
    mask = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, WIDTH - 1, HEIGHT - 1), radius=RADIUS, fill=255)
    out = card.convert("RGBA")
    out.putalpha(mask)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG", compress_level=3)  # fast; ~50 kB
    return buffer.getvalue()
