"""Engine, sessions and the declarative base that every domain's models share.

SQLite (embedded default): WAL, busy_timeout, foreign keys, and every transaction starts with
`BEGIN IMMEDIATE` so concurrent writers queue on the write lock instead of failing with
"database is locked" when a deferred reader later upgrades to a writer.
PostgreSQL (production): READ COMMITTED; money code takes row locks (see core/ledger.py).
"""

from __future__ import annotations

import secrets
import string
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from corebank.core.settings import get_settings

Base = declarative_base()

# SQLite stores NUMERIC as REAL; every amount we write is a quantized 2-decimal Decimal and is
# re-quantized on read (money.to_decimal), so the float round trip is exact at our magnitudes.
warnings.filterwarnings("ignore", message="Dialect sqlite.*does \\*not\\* support Decimal")

_ALNUM = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 16) -> str:
    """Opaque random identifier such as `cus_Ab3...` (not guessable, sortable enough)."""
    # one urandom call; the modulo bias over 62 symbols is irrelevant for opaque ids
    return prefix + "".join(_ALNUM[b % 62] for b in secrets.token_bytes(length))


def utcnow() -> datetime:
    """Naive UTC: SQLite has no time zones, so every timestamp is stored as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=20000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    # Read-only work may opt out (read_only_connection) so it never queues for the write lock.
    deferred = conn.get_execution_options().get("sqlite_deferred")
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 20},
            poolclass=QueuePool,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            future=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_recycle=1800,  # (no pre-ping: it would add a round trip to every request)
        future=True,
    )


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine()


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker:
    return sessionmaker(bind=get_engine(), future=True, expire_on_commit=False)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def dialect_insert(session: Session, table):
    """INSERT of the session's dialect (for `on_conflict_do_nothing` and friends)."""
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


@contextmanager
def read_only_connection(snapshot: bool = False):
    """A Core connection for reads: on SQLite it takes no write lock (plain BEGIN in WAL mode
    reads a snapshot), so it is safe even from the event loop. `snapshot=True` makes every
    query see the same moment on PostgreSQL too (REPEATABLE READ), for multi-query checks."""
    with get_engine().connect() as conn:
        conn = conn.execution_options(sqlite_deferred=True)
        if snapshot and conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        finally:
            conn.rollback()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A transaction: commits on success, rolls back on any exception."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def get_session() -> AsyncIterator[Session]:
    """FastAPI dependency. The handler must call `session.commit()` itself before returning:
    FastAPI 0.99 runs the exit of yield-dependencies after the response is sent, so a commit
    here could fail unseen. On exit the session is rolled back (if still open) and closed.
    (async only to skip a threadpool hop: creating a Session does no I/O; the handler that
    uses it must be a plain `def` so its queries run in the threadpool.)"""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
