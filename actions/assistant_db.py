"""The assistant's own small store (handoff requests, ...), separate from the bank's.

`ASSISTANT_DATABASE_URL` (falls back to `DATABASE_URL`), default `sqlite:///var/assistant.db`.
Tables are created on first use. Other features may add tables to `Base`; they are created by
the same first call to `engine()` as long as their module is imported before it.
Nothing sensitive is stored here: no message text, only ids, reasons and timestamps.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, DateTime, Integer, String, create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker

DEFAULT_URL = "sqlite:///var/assistant.db"

Base = declarative_base()

_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def database_url() -> str:
    return os.environ.get("ASSISTANT_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL


def engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: from the environment), tables created on first use."""
    url = url or database_url()
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            parsed = make_url(url)
            is_file = parsed.database not in (None, "", ":memory:")
            if parsed.get_backend_name() == "sqlite" and is_file:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            eng = create_engine(url, future=True, pool_pre_ping=True)
            Base.metadata.create_all(eng)
            _engines[url] = eng
        return eng


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    factory = sessionmaker(bind=engine(url), future=True, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class HandoffRequest(Base):
    """A customer asked for a person. Operators pick these up from their console."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender = Column(String(255), nullable=False, index=True)  # messenger identity
    reason = Column(String(64), nullable=False)  # a machine word, never the customer's text
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(DateTime(timezone=True), nullable=False, default=_utcnow)

    @property
    def reference(self) -> str:
        return format_reference(self.id)


def format_reference(request_id: int) -> str:
    return f"H-{request_id:06d}"


def create_handoff_request(sender: str, reason: str, url: str | None = None) -> str:
    """Record a handoff request; returns its reference number ("H-000042")."""
    with session_scope(url) as session:
        request = HandoffRequest(sender=sender, reason=reason, status="open", created_at=_utcnow())
        session.add(request)
        session.flush()
        return request.reference


async def create_handoff_request_async(sender: str, reason: str, url: str | None = None) -> str:
    """The same, off the event loop (the action server serves many chats on one loop)."""
    return await asyncio.to_thread(create_handoff_request, sender, reason, url)
