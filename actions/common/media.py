"""Pictures and documents the assistant sends (card images, receipts, QR codes, PDF bank
details): stored under MEDIA_DIR, served by the
action server.

Messengers fetch an image by URL, so each picture gets an unguessable name (the card image shows a
holder name) and is served at `GET /media/<name>` by this module's Sanic blueprint. The URL sent
to the customer is `MEDIA_BASE_URL/<name>` (set it to the public address of the action server,
or of whatever serves MEDIA_DIR, e.g. a shared volume behind the ingress when there are several
replicas). Pictures are deleted after MEDIA_TTL_HOURS.

The route is mounted on the action server by `rasa_sdk_plugins` (this module's
`EXTRA_BLUEPRINTS`); it needs no action-server token, since media names are unguessable.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_URL = "http://127.0.0.1:5055/media"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}\.(png|pdf)$")
MIME_TYPES = {"png": "image/png", "pdf": "application/pdf"}
CLEANUP_EVERY_SECONDS = 600
BLUEPRINT_NAME = "assistant_media"

_last_cleanup = 0.0


def media_dir() -> Path:
    return Path(os.environ.get("MEDIA_DIR") or REPO_ROOT / "var" / "media")


def media_base_url() -> str:
    return (os.environ.get("MEDIA_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def ttl_seconds() -> float:
    try:
        return float(os.environ.get("MEDIA_TTL_HOURS") or 24) * 3600
    except ValueError:
        return 24 * 3600.0


def publish_png(png: bytes) -> str:
    """Store a PNG under a fresh random name; return the absolute URL a messenger can fetch."""
    return _publish(png, "png")


def publish_pdf(pdf: bytes) -> str:
    """Store a PDF document like a picture (same naming, lifetime and route)."""
    return _publish(pdf, "pdf")


def _publish(data: bytes, extension: str) -> str:
    folder = media_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.{extension}"
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, folder / name)  # atomic: a half-written picture is never served
    _cleanup_now_and_then(folder)
    return f"{media_base_url()}/{name}"


def _cleanup_now_and_then(folder: Path) -> None:
    global _last_cleanup
    now = time.time()
    if now - _last_cleanup < CLEANUP_EVERY_SECONDS:
        return
    _last_cleanup = now
    cutoff = now - ttl_seconds()
    for path in [*folder.glob("*.png"), *folder.glob("*.pdf")]:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another replica removed it first


# --------------------------------------------------------------------------- HTTP route

media_blueprint = Blueprint(BLUEPRINT_NAME, url_prefix="/media")


@media_blueprint.get("/<name>")
async def serve_media(request: Request, name: str):
    match = NAME_RE.match(name)
    if not match:  # no paths, no dot-files: only names we generated
        return response.json({"error": {"code": "not_found", "message": "No such file."}}, 404)
    path = media_dir() / name
    if not path.is_file() or time.time() - path.stat().st_mtime > ttl_seconds():
        return response.json({"error": {"code": "not_found", "message": "No such file."}}, 404)
    return await response.file(
        str(path),
        mime_type=MIME_TYPES[match.group(1)],
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


EXTRA_BLUEPRINTS = [media_blueprint]
