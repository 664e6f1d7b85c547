"""The published catalog and its history, in the service's database (SQLAlchemy).

RESPONSES_DATABASE_URL, default sqlite:///var/responses.db; PostgreSQL in production.
Every response's every version is a row of `response_versions`:
- `published`: what customers get now (one per language and name);
- `pending`: a change waiting for a reviewer; `superseded`, `rejected`: history.
Every step (seeded from the files, proposed, approved, rejected, restored) is a row of
`response_audit` with who, when, the text before and after. `catalog_state.version` is bumped on
every publish: replicas of the service watch it to reload.

Files and database: on start, a response the database does not know yet, or whose file text
changed since it was last taken from the files (a change reviewed in git and deployed), is
published from the files; otherwise the database's (maybe edited live) version stands.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    Text,
    create_engine,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from responses_service.catalog import Catalog

DEFAULT_URL = "sqlite:///var/responses.db"
FILES_AUTHOR = "catalog-files"
Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def canonical(content: Any) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False)


class ResponseVersion(Base):
    __tablename__ = "response_versions"
    id = Column(Integer, primary_key=True, autoincrement=True)
    language = Column(String(16), nullable=False, index=True)
    name = Column(String(120), nullable=False, index=True)
    content = Column(Text, nullable=False)  # JSON: the list of variations
    status = Column(String(16), nullable=False, index=True)
    source = Column(String(16), nullable=False)  # files | editor | restore
    author = Column(String(80), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    base_version_id = Column(Integer)  # the published version the change was made against
    restored_from = Column(Integer)
    reviewer = Column(String(80))
    reviewed_at = Column(DateTime)


class AuditEntry(Base):
    __tablename__ = "response_audit"
    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(80), nullable=False)
    action = Column(String(16), nullable=False)  # seeded | proposed | approved | rejected
    language = Column(String(16), nullable=False)
    name = Column(String(120), nullable=False)
    version_id = Column(Integer, nullable=False)
    before = Column(Text)  # JSON, the published content before (None: there was none)
    after = Column(Text)  # JSON, the content after / proposed


class CatalogState(Base):
    __tablename__ = "catalog_state"
    id = Column(Integer, primary_key=True)
    version = Column(Integer, nullable=False, default=0)


class ReviewError(Exception):
    """A change that may not be made: `code` is the API's error code."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Store:
    engine: Engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        url = url or os.environ.get("RESPONSES_DATABASE_URL") or DEFAULT_URL
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, pool_pre_ping=True)
        Base.metadata.create_all(engine)
        return cls(engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        factory = sessionmaker(bind=self.engine, future=True, expire_on_commit=False)
        with factory() as session, session.begin():
            yield session

    # --- reading -----------------------------------------------------------------------

    def version(self) -> int:
        with self.session() as s:
            return s.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0

    def published(self) -> tuple[Catalog, int]:
        with self.session() as s:
            rows = s.execute(select(ResponseVersion).where(
                ResponseVersion.status == "published")).scalars()
            catalog: Catalog = {}
            for row in rows:
                catalog.setdefault(row.language, {})[row.name] = json.loads(row.content)
            version = s.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0
            return catalog, version

    def history(self, language: str, name: str) -> list[ResponseVersion]:
        with self.session() as s:
            return list(s.execute(select(ResponseVersion).where(
                ResponseVersion.language == language, ResponseVersion.name == name,
            ).order_by(ResponseVersion.id.desc())).scalars())

    def pending(self) -> list[ResponseVersion]:
        with self.session() as s:
            return list(s.execute(select(ResponseVersion).where(
                ResponseVersion.status == "pending").order_by(ResponseVersion.id)).scalars())

    def audit(self, language: str | None = None, name: str | None = None,
              limit: int = 200) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if language:
            query = query.where(AuditEntry.language == language)
        if name:
            query = query.where(AuditEntry.name == name)
        with self.session() as s:
            return list(s.execute(query).scalars())

    def get(self, version_id: int) -> ResponseVersion | None:
        with self.session() as s:
            return s.get(ResponseVersion, version_id)

    # --- writing -----------------------------------------------------------------------

    def seed(self, files: Catalog) -> int:
        """Publish from the files what the database does not have, or what changed in the
        files since it was last taken from them. Returns how many were published."""
        published = 0
        with self.session() as s:
            self._state(s)
            for language, responses in files.items():
                for name, content in responses.items():
                    last_from_files = s.execute(select(ResponseVersion).where(
                        ResponseVersion.language == language, ResponseVersion.name == name,
                        ResponseVersion.source == "files",
                    ).order_by(ResponseVersion.id.desc()).limit(1)).scalar()
                    if last_from_files is not None and last_from_files.content == canonical(
                            content):
                        continue
                    current = self._published(s, language, name)
                    if current is not None and current.content == canonical(content):
                        continue
                    row = ResponseVersion(language=language, name=name,
                                          content=canonical(content), status="pending",
                                          source="files", author=FILES_AUTHOR,
                                          base_version_id=current.id if current else None)
                    s.add(row)
                    s.flush()
                    self._publish(s, row, FILES_AUTHOR, "seeded", current)
                    published += 1
        return published

    def propose(self, language: str, name: str, content: list, author: str,
                restored_from: int | None = None) -> ResponseVersion:
        with self.session() as s:
            current = self._published(s, language, name)
            if current is None:
                raise ReviewError("unknown_response", f"No published response {name} "
                                  f"in {language}", 404)
            if current.content == canonical(content):
                raise ReviewError("no_change", "This is the published text already", 400)
            row = ResponseVersion(language=language, name=name, content=canonical(content),
                                  status="pending", source="restore" if restored_from else "editor",
                                  author=author, base_version_id=current.id,
                                  restored_from=restored_from)
            s.add(row)
            s.flush()
            s.add(AuditEntry(actor=author, action="proposed", language=language, name=name,
                             version_id=row.id, before=current.content, after=row.content))
            return row

    def approve(self, version_id: int, reviewer: str) -> ResponseVersion:
        with self.session() as s:
            row = self._pending_for_review(s, version_id, reviewer)
            current = self._published(s, row.language, row.name)
            if current is not None and current.id != row.base_version_id:
                raise ReviewError("stale_change", "The published text changed since this "
                                  "change was made: edit it again", 409)
            self._publish(s, row, reviewer, "approved", current)
            return row

    def reject(self, version_id: int, reviewer: str) -> ResponseVersion:
        with self.session() as s:
            row = self._pending_for_review(s, version_id, reviewer)
            row.status, row.reviewer, row.reviewed_at = "rejected", reviewer, utcnow()
            current = self._published(s, row.language, row.name)
            s.add(AuditEntry(actor=reviewer, action="rejected", language=row.language,
                             name=row.name, version_id=row.id,
                             before=current.content if current else None, after=row.content))
            return row

    # --- inside a transaction ------------------------------------------------------------

    @staticmethod
    def _state(s: Session) -> CatalogState:
        state = s.get(CatalogState, 1, with_for_update=True)
        if state is None:
            state = CatalogState(id=1, version=0)
            s.add(state)
            s.flush()
        return state

    @staticmethod
    def _published(s: Session, language: str, name: str) -> ResponseVersion | None:
        return s.execute(select(ResponseVersion).where(
            ResponseVersion.language == language, ResponseVersion.name == name,
            ResponseVersion.status == "published")).scalar()

    @staticmethod
    def _pending_for_review(s: Session, version_id: int, reviewer: str) -> ResponseVersion:
        row = s.get(ResponseVersion, version_id, with_for_update=True)
        if row is None or row.status != "pending":
            raise ReviewError("not_pending", "No such change waiting for review", 404)
        if row.author == reviewer:
            raise ReviewError("own_change", "A change needs a second person: you cannot "
                              "review your own change", 403)
        return row

    def _publish(self, s: Session, row: ResponseVersion, actor: str, action: str,
                 current: ResponseVersion | None) -> None:
        if current is not None:
            s.execute(update(ResponseVersion).where(ResponseVersion.id == current.id)
                      .values(status="superseded"))
        row.status, row.reviewer, row.reviewed_at = "published", actor, utcnow()
        state = self._state(s)
        state.version = (state.version or 0) + 1
        s.add(AuditEntry(actor=actor, action=action, language=row.language, name=row.name,
                         version_id=row.id, before=current.content if current else None,
                         after=row.content))


def count_versions(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(ResponseVersion.id))) or 0
