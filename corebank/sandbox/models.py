"""The sandbox's own table: its switches, read by every worker process."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Text

from corebank.core.db import Base, utcnow


class SandboxSetting(Base):
    """Sandbox switches (fault injection) shared by every worker process."""

    __tablename__ = "sandbox_settings"

    name = Column(String(64), primary_key=True)
    value_json = Column(Text, nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


__all__ = ["SandboxSetting"]
