"""The assistant's own small store (handoff requests, processed bank events, ...), separate from
the bank's.

`ASSISTANT_DATABASE_URL` (falls back to `DATABASE_URL`), default `sqlite:///var/assistant.db`.
A capability adds a table by declaring a model on `Base`; every table declared so far is created
on first use of the store, whenever its module was imported.
Nothing sensitive is stored here: no message text, only ids, reasons and timestamps.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker

DEFAULT_URL = "sqlite:///var/assistant.db"

Base = declarative_base()

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_created: dict[str, set[str]] = {}  # url → tables already created there


def database_url() -> str:
    return os.environ.get("ASSISTANT_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL


def engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: from the environment), with every declared table created."""
    url = url or database_url()
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            parsed = make_url(url)
            is_file = parsed.database not in (None, "", ":memory:")
            if parsed.get_backend_name() == "sqlite" and is_file:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            eng = create_engine(url, future=True, pool_pre_ping=True)
            _engines[url] = eng
        created = _created.setdefault(url, set())
        missing = [t for name, t in Base.metadata.tables.items() if name not in created]
        if missing:
            Base.metadata.create_all(eng, tables=missing)
            created.update(t.name for t in missing)
        return eng


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    factory = sessionmaker(bind=engine(url), future=True, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
