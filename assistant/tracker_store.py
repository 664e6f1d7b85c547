"""Rasa's SQL tracker store, configured from the environment, redacting every event it saves.

The channel layer already tokenizes card numbers and secrets before Rasa sees a message; this
is the second line: whatever reaches `save()` (user text, parse_data, entities, slot values,
bot text, metadata) goes through `redact_obj` first, so nothing sensitive lands in the table.

endpoints.yml:
    tracker_store:
      type: assistant.tracker_store.RedactingSQLTrackerStore
URL: TRACKER_DATABASE_URL, else DATABASE_URL, else sqlite:///var/tracker.db (relative to the
working directory). PostgreSQL URLs (postgresql://user:pw@host:5432/db) use psycopg2.

Cost per message independent of the conversation's length (docs/performance.md): Rasa's store
reads, parses and replays every event of the session on each message, and counts them again to
save. This store keeps the tracker it last saved for each conversation (an LRU of
TRACKER_CACHE_SIZE, default 2000; 0 turns it off) together with the id of the newest row it
wrote, and hands that very tracker back on the next `retrieve` when the newest row in the table
is still that one and nobody added events to it since (one indexed query instead of reading
the session). It is kept only when it equals what the table would give back: no event changed
by redaction, no new session started, no event older than the session start. Otherwise, and
whenever another replica wrote to the conversation, the next `retrieve` reads the table.

Snapshots (the policies, the action-server payload and the redaction pass all work on the whole
session, so without them a message costs more the longer the conversation): when a session has
TRACKER_SNAPSHOT_EVENTS events (default 300; 0 turns it off) and the conversation is at a quiet
point, `save` appends a new session to it the way Rasa's own session start with
carry_over_slots does (action_session_start, SessionStarted, the slots) followed by a copy of
the last SNAPSHOT_TAIL_TURNS user turns, and the tracker in memory becomes that session (see
`_snapshot`). The rows of the whole conversation stay in the table.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerEventDiffEngine
from rasa.shared.core.constants import (
    ACTION_LISTEN_NAME,
    ACTION_SESSION_START_NAME,
    REQUESTED_SLOT,
)
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url

from assistant import debug_memory
from assistant.log_filter import install as install_log_redaction
from assistant.redaction import BIRTH_DATE, DATE_VALUE, REDACTED, redact_obj

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///var/tracker.db"
DEFAULT_CACHE_SIZE = 2000
DEFAULT_SNAPSHOT_EVENTS = 300
# User turns copied into a snapshot: the rules (data/**/rules.yml) look back at most one user
# turn and four steps, so their states are the same in the copy as in the whole session, and a
# conversation_start rule never matches after a snapshot (tests/assistant/test_tracker_store.py
# checks the rules against this).
SNAPSHOT_TAIL_TURNS = 3
# Slots set while a money move waits for its one-time code (reset when it ends): no snapshot
# then. The other flows collect in forms (an active loop blocks a snapshot); their routing
# slots (pending_intent, card_flow, ...) stay set after a flow and are carried over.
SNAPSHOT_BLOCKING_SLOTS = ("step_up_challenge_id", "bill_challenge_id")


def cache_size() -> int:
    try:
        return max(0, int(os.environ.get("TRACKER_CACHE_SIZE") or DEFAULT_CACHE_SIZE))
    except ValueError:
        return DEFAULT_CACHE_SIZE


def snapshot_events() -> int:
    try:
        return max(0, int(os.environ.get("TRACKER_SNAPSHOT_EVENTS") or DEFAULT_SNAPSHOT_EVENTS))
    except ValueError:
        return DEFAULT_SNAPSHOT_EVENTS


@dataclass
class _Cached:
    """A tracker equal to what the table holds for its conversation, as of row `last_id`."""

    tracker: DialogueStateTracker
    events: int  # len(tracker.events) when it matched the table
    last_id: int


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
            self._pool_sqlite_connections()
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._cache_size = cache_size()
        self._snapshot_events = snapshot_events()
        debug_memory.gauge("tracker cache (conversations, events)", lambda: (
            len(self._cache), sum(len(e.tracker.events) for e in list(self._cache.values()))))
        logger.debug("Tracker store: %s", make_url(url).get_backend_name())

    def _pool_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens a new connection for every session on a SQLite file (NullPool):
        per message that was connect + pragmas + close, twice (profiled: ~9% of Rasa's CPU).
        A small pool of open connections instead (TRACKER_SQLITE_POOL=0: SQLAlchemy's default).
        The process uses them from its event loop only; check_same_thread is relaxed because a
        pooled connection may be handed to another thread (Sanic's executor) later."""
        database = self.engine.url.database
        if os.environ.get("TRACKER_SQLITE_POOL", "1") == "0" or database in (None, "", ":memory:"):
            return
        pooled = sa.create_engine(
            self.engine.url,
            poolclass=sa.pool.QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False},
        )
        self.engine.dispose()
        self.engine = pooled
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # ------------------------------------------------------------------ cache

    def _last_id(self, session, sender_id: str) -> int | None:
        return (
            session.query(sa.func.max(self.SQLEvent.id))
            .filter(self.SQLEvent.sender_id == sender_id)
            .scalar()
        )

    def _remember(self, sender_id: str, tracker: DialogueStateTracker, last_id: int) -> None:
        if not self._cache_size:
            return
        self._cache[sender_id] = _Cached(tracker, len(tracker.events), last_id)
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _cached(self, sender_id: str, tracker: DialogueStateTracker | None = None):
        """The cache entry, if its tracker is unchanged since (or is `tracker`)."""
        entry = self._cache.get(sender_id)
        if entry is None:
            return None
        if tracker is None and len(entry.tracker.events) != entry.events:
            return None  # events added but not saved (a message in flight, or one that failed)
        if tracker is not None and tracker is not entry.tracker:
            return None
        return entry

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session's tracker: the cached one while the table has nothing newer,
        else read from the table (Rasa's query) and cached."""
        with self.session_scope() as session:
            entry = self._cached(sender_id)
            if entry is not None and self._last_id(session, sender_id) == entry.last_id:
                return entry.tracker
            self._cache.pop(sender_id, None)
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not self.domain or not rows:
                return None
            tracker = DialogueStateTracker.from_dict(
                sender_id, [json.loads(row.data) for row in rows], self.domain.slots
            )
            if rows[-1].id == self._last_id(session, sender_id):
                self._remember(sender_id, tracker, rows[-1].id)
            return tracker

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Same as SQLTrackerStore.stream_events, with every event redacted exactly as it is
        for the table before it is published to the event broker (Pika, Kafka, SQL)."""
        if self.event_broker is None:
            return None
        # straight from the table: the cached tracker may be this very (updated) object
        old_tracker = await self._retrieve(tracker.sender_id, fetch_events_from_all_sessions=False)
        new_events = TrackerEventDiffEngine.event_difference(old_tracker, tracker)
        asked_at = _requested_slot_at_each_event(tracker)
        for event in new_events:
            data = redact_obj(_without_birth_dates(event.as_dict(), asked_at.get(id(event))))
            self.event_broker.publish({"sender_id": tracker.sender_id, **data})

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Same as SQLTrackerStore.save, with every event redacted before it is written."""
        await self.stream_events(tracker)

        sender_id = tracker.sender_id
        entry = self._cached(sender_id, tracker)
        self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            if entry is not None:  # the table holds exactly tracker.events[:entry.events]
                new_events = list(itertools.islice(tracker.events, entry.events, None))
            else:
                new_events = list(self._additional_events(session, tracker))
            rows, unchanged = self._rows(tracker, new_events)
            snapshot = _snapshot(tracker, self._snapshot_events)
            if snapshot is not None:
                # the tracker becomes the new session (what the table now gives back)
                tracker.events.clear()
                tracker.events.extend(snapshot)
                tracker._reset()
                tracker.replay_events()
                new_events = snapshot
                # what may be cached now is the snapshot only: its rows decide
                snapshot_rows, unchanged = self._rows(tracker, snapshot)
                rows += snapshot_rows
            session.add_all(rows)
            session.flush()  # the rows get their ids
            last_id = rows[-1].id if rows else (entry.last_id if entry else None)
            session.commit()
        # a snapshot reads back the same by construction: all of it is after the rows before
        reads_back = snapshot is not None or _reads_back_the_same(tracker, new_events)
        if last_id is not None and unchanged and reads_back:
            self._remember(sender_id, tracker, last_id)
        logger.debug("Tracker with sender_id '%s' stored to database", sender_id)

    def _rows(self, tracker: DialogueStateTracker, events: list[Event]) -> tuple[list, bool]:
        """The table rows of `events` (redacted), and whether each equals the event in memory."""
        asked_at = _requested_slot_at_each_event(tracker)
        unchanged = True
        rows = []
        for event in events:
            original = event.as_dict()
            data = redact_obj(_without_birth_dates(original, asked_at.get(id(event))))
            unchanged = unchanged and data == original
            intent = ((data.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY)
            rows.append(
                self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=intent,
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
            )
        return rows, unchanged


def _snapshot(tracker: DialogueStateTracker, threshold: int) -> list[Event] | None:
    """The events of a new session standing for this one, or None (not due, or not quiet).

    Due when the session has `threshold` events. Quiet: the assistant waits for the customer
    (last event action_listen), no form is active, no money move waits for its code
    (SNAPSHOT_BLOCKING_SLOTS unset), and the last SNAPSHOT_TAIL_TURNS user turns start where no
    form was active and hold no reverted or restarted turn. The new session: action_session_start,
    SessionStarted, a SlotSet of every slot set when those turns started, then a copy of those
    turns. Everything is timestamped after the session so far (the SQL store reads the latest
    session by timestamp). What policies and actions see of the last turns, and the slots, stay
    the same; older events are no longer sent to the action server nor replayed.
    """
    events = list(tracker.events)
    starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
    start = starts[-1] if starts else 0
    if not threshold or len(events) - start < threshold:
        return None
    last = events[-1]
    if not (isinstance(last, ActionExecuted) and last.action_name == ACTION_LISTEN_NAME):
        return None
    if tracker.active_loop_name or tracker.is_paused():
        return None
    if any(tracker.get_slot(name) is not None for name in SNAPSHOT_BLOCKING_SLOTS
           if name in tracker.slots):  # fmt: skip
        return None
    users = [i for i in range(start, len(events)) if isinstance(events[i], UserUttered)]
    if len(users) <= SNAPSHOT_TAIL_TURNS:
        return None
    cut = users[-SNAPSHOT_TAIL_TURNS] - 1  # the action_listen before that user message
    before = events[cut]
    if not (isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME):
        return None
    tail = events[cut:]
    undoing = (ActionReverted, UserUtteranceReverted, Restarted, SessionStarted)
    if any(isinstance(e, undoing) for e in tail):
        return None
    prefix = tracker.init_copy()
    for event in events[:cut]:
        prefix.update(event)
    if prefix.active_loop_name:
        return None

    at = max(time.time(), max(e.timestamp for e in events)) + 0.001
    fresh = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=at),
        SessionStarted(timestamp=at),
        *(SlotSet(slot.name, slot.value, timestamp=at)
          for slot in prefix.slots.values() if slot.has_been_set),
    ]  # fmt: skip
    for event in tail:
        copy = Event.from_parameters(event.as_dict())
        copy.timestamp = at
        fresh.append(copy)
    return fresh


def _reads_back_the_same(tracker: DialogueStateTracker, new_events: list) -> bool:
    """Would reading the latest session back give these very events? Not when a session
    started in this save (the table then gives the new session only), nor when an event is
    older than the session's start (Rasa's query filters by timestamp)."""
    if any(isinstance(event, SessionStarted) for event in new_events):
        return False
    starts = [e.timestamp for e in tracker.events if isinstance(e, SessionStarted)]
    return not starts or all(event.timestamp >= starts[-1] for event in tracker.events)


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
