"""The card picture (Pillow) and the media route that serves it to messengers."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from PIL import Image, ImageFont

from actions import card_image
from actions.card_image import HEIGHT, WIDTH, render_card


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
    monkeypatch.setattr(card_image, "FONT_DIRS", ("/nonexistent",))
    card_image.font.cache_clear()
    try:
        fallback = card_image.font(30)
        assert "DejaVu" not in str(getattr(fallback, "path", ""))
        assert isinstance(fallback, ImageFont.FreeTypeFont)  # scalable: sizes are honoured
        image = open_png(render_card(masked_number="•••• 9876", holder_name="Taras Shevchenko",
                                     tariff="basic", expiry="01/31"))  # fmt: skip
        assert image.size == (WIDTH, HEIGHT)
    finally:
        card_image.font.cache_clear()


def test_media_is_published_under_an_unguessable_name(tmp_path, monkeypatch):
    from actions.media import NAME_RE, publish_png

    monkeypatch.setenv("MEDIA_DIR", str(tmp_path))
    monkeypatch.setenv("MEDIA_BASE_URL", "https://bot.example/media/")
    url = publish_png(b"\x89PNG fake")
    name = url.rsplit("/", 1)[1]
    assert url == f"https://bot.example/media/{name}" and NAME_RE.match(name)
    assert (tmp_path / name).read_bytes() == b"\x89PNG fake"
    assert publish_png(b"x") != url


def test_action_server_serves_the_picture(tmp_path):
    """`rasa run actions` on a free port: /media/<name> serves the PNG without the action token,
    unknown names and path tricks get 404, and rasa-sdk's own routes stay protected."""
    import httpx

    from corebank.devserver import free_port

    png = render_card(masked_number="•••• 1234", holder_name="Anna Ivanova", tariff="basic")
    name = "A" * 32 + ".png"
    (tmp_path / name).write_bytes(png)
    port = free_port()
    env = {**os.environ, "MEDIA_DIR": str(tmp_path), "ACTION_SERVER_TOKEN": "media-test-token"}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    log = open(tmp_path / "actions.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=5) as client:
            for _ in range(300):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                import time

                time.sleep(0.2)
            resp = client.get(f"/media/{name}")
            assert resp.status_code == 200, (tmp_path / "actions.log").read_text()[-2000:]
            assert resp.headers["content-type"] == "image/png"
            assert open_png(resp.content).size == (WIDTH, HEIGHT)
            assert client.get("/media/" + "B" * 32 + ".png").status_code == 404
            assert client.get("/media/..%2Factions.log").status_code == 404
            assert client.get("/actions").status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
