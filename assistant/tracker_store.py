"""Rasa's SQL tracker store, configured from the environment, redacting every event it saves.

The channel layer already tokenizes card numbers and secrets before Rasa sees a message; this
is the second line: whatever reaches `save()` (user text, parse_data, entities, slot values,
bot text, metadata) goes through `redact_obj` first, so nothing sensitive lands in the table.

endpoints.yml:
    tracker_store:
      type: assistant.tracker_store.RedactingSQLTrackerStore
URL: TRACKER_DATABASE_URL, else DATABASE_URL, else sqlite:///var/tracker.db (relative to the
working directory). PostgreSQL URLs (postgresql://user:pw@host:5432/db) use psycopg2.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerEventDiffEngine
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url

from assistant.log_filter import install as install_log_redaction
from assistant.redaction import BIRTH_DATE, DATE_VALUE, REDACTED, redact_obj

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///var/tracker.db"


def tracker_database_url(configured: str | None = None) -> str:
    """The URL from endpoints.yml (if it is a full URL), else the environment, else SQLite."""
    url = configured if configured and "://" in configured else None
    url = url or os.environ.get("TRACKER_DATABASE_URL") or os.environ.get("DATABASE_URL")
    url = url or DEFAULT_URL
    if url.startswith("postgres://"):  # Heroku-style scheme SQLAlchemy 1.4 refuses
        url = "postgresql://" + url[len("postgres://") :]
    return url


def _ensure_sqlite_directory(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL: readers do not block the writer; synchronous=NORMAL: no fsync per commit (safe
    against a crash of the process; PostgreSQL is the production store)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose rows never hold card numbers, CVVs, PINs, passwords, OTPs or
    passport numbers in clear."""

    def __init__(self, domain=None, host: str | None = None, event_broker=None, **kwargs):
        install_log_redaction()  # the Rasa process loads this class early: redact its logs too
        url = tracker_database_url(host or kwargs.pop("url", None))
        _ensure_sqlite_directory(url)
        # A full URL in `host` is used as is by SQLTrackerStore.get_db_url.
        for key in ("dialect", "port", "db", "username", "password", "login_db", "query"):
            kwargs.pop(key, None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        logger.debug("Tracker store: %s", make_url(url).get_backend_name())

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Same as SQLTrackerStore.stream_events, with every event redacted exactly as it is
        for the table before it is published to the event broker (Pika, Kafka, SQL)."""
        if self.event_broker is None:
            return None
        old_tracker = await self.retrieve(tracker.sender_id)
        new_events = TrackerEventDiffEngine.event_difference(old_tracker, tracker)
        asked_at = _requested_slot_at_each_event(tracker)
        for event in new_events:
            data = redact_obj(_without_birth_dates(event.as_dict(), asked_at.get(id(event))))
            self.event_broker.publish({"sender_id": tracker.sender_id, **data})

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Same as SQLTrackerStore.save, with every event redacted before it is written."""
        await self.stream_events(tracker)

        with self.session_scope() as session:
            asked_at = _requested_slot_at_each_event(tracker)
            for event in self._additional_events(session, tracker):
                data = _without_birth_dates(event.as_dict(), asked_at.get(id(event)))
                data = redact_obj(data)
                intent = ((data.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)


def _requested_slot_at_each_event(tracker: DialogueStateTracker) -> dict[int, str | None]:
    """The form question open when each event happened (by event identity)."""
    asked: str | None = None
    at: dict[int, str | None] = {}
    for event in tracker.events:
        at[id(event)] = asked
        if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
            asked = event.value
    return at


def _scrub(value, secrets: set[str]):
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def _without_birth_dates(data: dict, requested_slot: str | None) -> dict:
    """A date of birth typed by the customer, removed from the text, parse data and entities.

    The card form reads it from the message in the turn it is typed (and keeps it sealed), so
    the stored copy need not hold it: dates after "born"/"dob" anywhere, and any date typed
    while the form asks for the date of birth.
    """
    text = data.get("text") if data.get("event") == "user" else None
    if not text:
        return data
    secrets = {m.group("value") for m in BIRTH_DATE.finditer(text)}
    if requested_slot == "date_of_birth":
        secrets |= {m.group() for m in DATE_VALUE.finditer(text)}
    return _scrub(data, secrets) if secrets else data
