"""Published pictures: stored under an unguessable name, served by the action server at /media
(the route `rasa_sdk_plugins` mounts) without the action token."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from PIL import Image

from actions.cards.image import HEIGHT, WIDTH, render_card
from actions.common.media import NAME_RE, publish_png
from tests.actions.helpers import ROOT


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_media_is_published_under_an_unguessable_name(tmp_path, monkeypatch):
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
    env = {**os.environ, "MEDIA_DIR": str(tmp_path), "ACTION_SERVER_TOKEN": "media-test-token",
           "DEV_MODE": "1"}  # other secrets keep their dev defaults here
    root = str(ROOT)
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
