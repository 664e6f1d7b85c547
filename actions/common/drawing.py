"""Fonts for the pictures the assistant draws (card images, receipts).

DejaVu Sans when the system has it, otherwise Pillow's own scalable default font
(`ImageFont.load_default(size=...)`, bundled with Pillow >= 10.1), so drawing works on a fresh
machine with no fonts installed.
"""

from __future__ import annotations

import os
from functools import lru_cache

from PIL import ImageFont

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts")


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)
