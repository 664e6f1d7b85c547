"""The Rasa process's own tables in the assistant's database (`ASSISTANT_DATABASE_URL`, falls
back to `DATABASE_URL`, default `sqlite:///var/assistant.db`): the same database the action
server keeps its tables in (actions/common/db.py), reached without importing `actions` (the
Rasa process never does). Used by the messenger channels (channels/messengers/store.py).
Tables declared on `Base` are created on first use."""

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
_factories: dict[str, sessionmaker] = {}


def database_url() -> str:
    return os.environ.get("ASSISTANT_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL


def engine(url: str | None = None) -> Engine:
    url = url or database_url()
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "",
                                                                                 ":memory:"):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            args = {"timeout": 15} if parsed.get_backend_name() == "sqlite" else {}
            eng = create_engine(url, future=True, pool_pre_ping=True, connect_args=args)
            Base.metadata.create_all(eng)
            _engines[url] = eng
            _factories[url] = sessionmaker(bind=eng, future=True, expire_on_commit=False)
        return eng


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    url = url or database_url()
    engine(url)
    with _factories[url]() as session, session.begin():
        yield session


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
