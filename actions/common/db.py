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


# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises table creation.
CREATE_TABLES_LOCK = 5_055_001


def load_every_capability() -> None:
    """Import every module of the actions package, as the action server does at start-up, so
    that every capability's tables are declared on `Base`."""
    from rasa_sdk.executor import ActionExecutor

    ActionExecutor().register_package("actions")


def create_tables(url: str | None = None) -> list[str]:
    """Create every declared table that is missing; return the tables of the store.

    Run before the action servers start (Kubernetes: the Deployment's init container), so no
    replica creates them on first use. On PostgreSQL it holds an advisory lock: several init
    containers starting together create each table once, never racing on it."""
    url = url or database_url()
    eng = create_engine(url, future=True)
    try:
        with eng.begin() as conn:
            if eng.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({CREATE_TABLES_LOCK})")
            Base.metadata.create_all(conn)
        return sorted(Base.metadata.tables)
    finally:
        eng.dispose()


def main() -> int:
    """`python -m actions.common.db`: create the action server's tables (see create_tables)."""
    # Run as __main__, this file is a second copy of the module: use the one the actions import.
    from actions.common import db

    db.load_every_capability()
    tables = db.create_tables()
    print(f"actions.common.db: {len(tables)} tables present: {', '.join(tables)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
