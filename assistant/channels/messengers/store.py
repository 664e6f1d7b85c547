"""What the messenger channels remember, in the assistant's database (`assistant/db.py`:
`ASSISTANT_DATABASE_URL`, SQLite by default, PostgreSQL in production):

- `messenger_seen_updates`: the platforms' ids of the deliveries already handled. Platforms
  redeliver after failures (up to days later), so a retried delivery is answered "ok" and not
  handled again, across restarts and replicas; together with the signature this is the replay
  protection (a delivery older than the channel's `max_age_seconds`, a week by default, is
  refused: rows are kept a day longer than that).
- `messenger_contacts`: per (channel, user) the last time the customer wrote (the platforms'
  messaging windows: WhatsApp and Messenger allow free-form messages for 24 hours after it),
  the language they wrote in, and whether they blocked the bot (no more attempts until they
  write again).
- `messenger_outbox` (assistant/channels/messengers/outbox.py): what the bank sends on its own.

No message a customer wrote is stored here; the outbox holds the bank's own outgoing message
until it is sent (then it is cleared).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from assistant import db

DEFAULT_MAX_AGE_SECONDS = 7 * 86400  # Meta retries for up to 7 days; Telegram keeps 24 h


class SeenUpdate(db.Base):
    __tablename__ = "messenger_seen_updates"

    key = Column(String(200), primary_key=True)  # "<channel>:<platform's id of the delivery>"
    seen_at = Column(DateTime(timezone=True), nullable=False, index=True)


class MessengerContact(db.Base):
    __tablename__ = "messenger_contacts"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_messenger_contact"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(32), nullable=False)
    user_id = Column(String(128), nullable=False)
    last_inbound_at = Column(DateTime(timezone=True), nullable=True)
    language = Column(String(16), nullable=True)
    blocked_at = Column(DateTime(timezone=True), nullable=True)


class OutboxMessage(db.Base):
    """One message the bank sends on its own; `key` is unique, so a retried enqueue (the same
    bank event triggered twice) stores it once and it is sent once."""

    __tablename__ = "messenger_outbox"
    __table_args__ = (
        Index("ix_messenger_outbox_due", "status", "channel", "next_attempt_at"),
        Index("ix_messenger_outbox_platform_id", "channel", "platform_message_id"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(200), nullable=False, unique=True)
    channel = Column(String(32), nullable=False)
    recipient = Column(String(128), nullable=False)  # the platform's user id
    message = Column(Text, nullable=True)  # Rasa's message dict (JSON); cleared once final
    status = Column(String(16), nullable=False)  # queued | sent | delivered | read | failed
    parts_sent = Column(Integer, nullable=False, default=0)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False)
    claimed_until = Column(DateTime(timezone=True), nullable=True)
    window = Column(String(40), nullable=True)  # how it went: free | template:<name> | tag:<TAG>
    force_closed_window = Column(Integer, nullable=False, default=0)  # the platform said so
    platform_message_id = Column(String(200), nullable=True)
    last_error = Column(String(200), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    sent_at = Column(DateTime(timezone=True), nullable=True)
    updated_at = Column(DateTime(timezone=True), nullable=False)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


# --------------------------------------------------------------------------- seen deliveries


class SeenIds:
    """The deliveries already handled: a small in-memory front (a retry arriving at once) over
    the `messenger_seen_updates` table (a retry after a restart, or on another replica)."""

    def __init__(self, channel: str, retention_seconds: float, size: int = 10_000) -> None:
        self.channel = channel
        self.retention = timedelta(seconds=retention_seconds + 86400)
        self.size = size
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._inserts = 0

    def first_time(self, update_id: str | None) -> bool:
        if update_id is None:
            return True
        key = f"{self.channel}:{update_id}"[:200]
        if key in self._recent:
            return False
        try:
            with db.session_scope() as session:
                session.add(SeenUpdate(key=key, seen_at=db.utcnow()))
        except IntegrityError:
            self._remember(key)
            return False
        self._remember(key)
        self._inserts += 1
        if self._inserts % 1000 == 1:
            self.prune()
        return True

    def _remember(self, key: str) -> None:
        self._recent[key] = None
        while len(self._recent) > self.size:
            self._recent.popitem(last=False)

    def prune(self) -> None:
        with db.session_scope() as session:
            oldest = db.utcnow() - self.retention
            session.execute(delete(SeenUpdate).where(SeenUpdate.seen_at < oldest))


# --------------------------------------------------------------------------- contacts


def touch_contact(channel: str, user_id: str, at: datetime, language: str | None) -> None:
    """The customer wrote at `at`: their messaging window reopens and they are not blocking."""
    values: dict = {"last_inbound_at": at, "blocked_at": None}
    if language:
        values["language"] = language[:16]
    where = (MessengerContact.channel == channel, MessengerContact.user_id == user_id)
    with db.session_scope() as session:
        # A late redelivery does not move the window back.
        done = session.execute(
            update(MessengerContact)
            .where(*where, or_(MessengerContact.last_inbound_at.is_(None),
                               MessengerContact.last_inbound_at <= at))
            .values(**values)
        ).rowcount
        if done:
            return
        exists = session.execute(select(MessengerContact.id).where(*where)).first()
    if exists:
        return
    try:
        with db.session_scope() as session:
            session.add(MessengerContact(channel=channel, user_id=user_id, **values))
    except IntegrityError:  # a concurrent delivery wrote it first
        touch_contact(channel, user_id, at, language)


def set_blocked(channel: str, user_id: str, blocked: bool) -> None:
    """The platform said the customer blocked the bot (or unblocked it)."""
    value = db.utcnow() if blocked else None
    with db.session_scope() as session:
        done = session.execute(
            update(MessengerContact)
            .where(MessengerContact.channel == channel, MessengerContact.user_id == user_id)
            .values(blocked_at=value)
        ).rowcount
        if not done and blocked:
            session.add(MessengerContact(channel=channel, user_id=user_id, blocked_at=value))


def contact(channel: str, user_id: str) -> MessengerContact | None:
    with db.session_scope() as session:
        return session.execute(
            select(MessengerContact).where(
                MessengerContact.channel == channel, MessengerContact.user_id == user_id
            )
        ).scalar_one_or_none()


def window_hours() -> float:
    return float(os.environ.get("MESSENGER_WINDOW_HOURS", "24"))
