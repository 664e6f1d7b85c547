"""Pictures and documents the assistant sends (card images, receipts, QR codes, PDF bank
details and receipts): stored under MEDIA_DIR, served by the action server.

Messengers fetch an image by URL, so each picture gets an unguessable name (the card image shows a
holder name) and is served at `GET /media/<name>` by this module's Sanic blueprint. The URL sent
to the customer is `MEDIA_BASE_URL/<name>` (set it to the public address of the action server,
or of whatever serves MEDIA_DIR, e.g. a shared volume behind the ingress when there are several
replicas). Pictures are deleted after MEDIA_TTL_HOURS.

The route is mounted on the action server by `rasa_sdk_plugins` (this module's
`EXTRA_BLUEPRINTS`); it needs no action-server token, since media names are unguessable.

Several action-server replicas: a picture published by one replica must be served by any other
(the load balancer picks). `MEDIA_STORE=database` keeps the pictures in the assistant's own
database (`actions.common.db`, ASSISTANT_DATABASE_URL: PostgreSQL shared by the replicas), so no
replica needs a local disk; the default `files` keeps them under MEDIA_DIR, which then has to be
a shared volume (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy import Column, DateTime, LargeBinary, String, delete

from actions.common import db

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_URL = "http://127.0.0.1:5055/media"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}\.(png|pdf)$")
MIME_TYPES = {"png": "image/png", "pdf": "application/pdf"}
CLEANUP_EVERY_SECONDS = 600
BLUEPRINT_NAME = "assistant_media"

_last_cleanup = 0.0


class MediaBlob(db.Base):
    """A published picture or PDF kept in the assistant's database (MEDIA_STORE=database).

    The column keeps its first name, `png`, though it also holds PDFs (no migration needed)."""

    __tablename__ = "media_blobs"
    name = Column(String(80), primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)
    png = Column(LargeBinary, nullable=False)


def store_kind() -> str:
    kind = (os.environ.get("MEDIA_STORE") or "files").strip().lower()
    if kind not in ("files", "database"):
        raise ValueError(f"MEDIA_STORE={kind!r}: expected 'files' or 'database'")
    return kind


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
    return publish_file(png, "png")


def publish_pdf(pdf: bytes) -> str:
    """Store a PDF document (receipts) like a picture; the URL a messenger can fetch."""
    return publish_file(pdf, "pdf")


def publish_file(content: bytes, extension: str) -> str:
    if extension not in MIME_TYPES:
        raise ValueError(f"unsupported media type {extension!r}")
    name = f"{secrets.token_urlsafe(24)}.{extension}"
    if store_kind() == "database":
        with db.session_scope() as session:
            session.add(MediaBlob(name=name, created_at=db.utcnow(), png=content))
        _cleanup_database_now_and_then()
        return f"{media_base_url()}/{name}"
    folder = media_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(content)
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


def _cleanup_database_now_and_then() -> None:
    global _last_cleanup
    now = time.time()
    if now - _last_cleanup < CLEANUP_EVERY_SECONDS:
        return
    _last_cleanup = now
    cutoff = db.utcnow() - timedelta(seconds=ttl_seconds())
    with db.session_scope() as session:
        session.execute(delete(MediaBlob).where(MediaBlob.created_at < cutoff))


def _png_from_database(name: str) -> bytes | None:
    cutoff = db.utcnow() - timedelta(seconds=ttl_seconds())
    with db.session_scope() as session:
        blob = session.get(MediaBlob, name)
        if blob is None or _aware(blob.created_at) < cutoff:
            return None
        return blob.png


def _aware(moment: datetime) -> datetime:
    """SQLite hands timezone-aware columns back naive (in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------- HTTP route

media_blueprint = Blueprint(BLUEPRINT_NAME, url_prefix="/media")


@media_blueprint.get("/<name>")
async def serve_media(request: Request, name: str):
    match = NAME_RE.match(name)
    if not match:  # no paths, no dot-files: only names we generated
        return response.json({"error": {"code": "not_found", "message": "No such file."}}, 404)
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if store_kind() == "database":
        png = await asyncio.to_thread(_png_from_database, name)
        if png is None:
            return response.json(
                {"error": {"code": "not_found", "message": "No such file."}}, 404
            )
        return response.raw(
            png, content_type=MIME_TYPES[name.rsplit(".", 1)[1]], headers=headers
        )
    path = media_dir() / name
    if not path.is_file() or time.time() - path.stat().st_mtime > ttl_seconds():
        return response.json({"error": {"code": "not_found", "message": "No such file."}}, 404)
    return await response.file(
        str(path),
        mime_type=MIME_TYPES[match.group(1)],
        headers=headers,
    )


EXTRA_BLUEPRINTS = [media_blueprint]
