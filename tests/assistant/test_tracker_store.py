"""RedactingSQLTrackerStore: every saved row is redacted, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.redaction import contains_sensitive
from assistant.tracker_store import (
    SNAPSHOT_TAIL_TURNS,
    RedactingSQLTrackerStore,
    tracker_database_url,
)
from corebank.devserver import throwaway_postgres
from tests.fixtures.services import require_postgres

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform]
slots:
  note:
    type: text
    mappings: [{type: custom}]
"""
)
TYPED = [
    "pay to 4111 1111 1111 1111 please",
    "my pin is 1234 and cvv 321",
    "password: hunter2",
    "passport AB1234567",
]
# Short secrets are checked as phrases (a bare "1234" may be part of a timestamp).
CLEAR_VALUES = [
    "4111 1111 1111 1111", "4111111111111111", "pin is 1234", "cvv 321", "hunter2", "AB1234567",
]  # fmt: skip


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for text in TYPED:
        tracker.update(
            UserUttered(
                text,
                intent={"name": "inform", "confidence": 1.0},
                entities=[{"entity": "card", "value": "4111111111111111", "start": 0, "end": 1}],
                parse_data={"text": text, "intent": {"name": "inform", "confidence": 1.0}},
                metadata={"raw": text},
            )
        )
        tracker.update(SlotSet("note", text))
        tracker.update(BotUttered(f"You said {text}", data={"echo": text}))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def _assert_rows_clean(rows: list[str]) -> None:
    assert rows, "nothing was stored"
    for data in rows:
        assert not contains_sensitive(data), data
        for value in CLEAR_VALUES:
            assert value not in data, f"{value!r} stored in clear: {data}"


async def _save_and_reload(url: str, sender: str) -> RedactingSQLTrackerStore:
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=url)
    await store.save(_tracker(sender))
    reloaded = await store.retrieve(sender)
    assert reloaded is not None
    assert reloaded.get_slot("note") == "passport [redacted]"
    assert [e.text for e in reloaded.events if isinstance(e, UserUttered)][0] == (
        "pay to •••• 1111 please"
    )
    return store


async def test_sqlite_rows_are_redacted(tmp_path) -> None:
    path = tmp_path / "nested" / "tracker.db"  # the directory is created on demand
    await _save_and_reload(f"sqlite:///{path}", "alice")
    with sqlite3.connect(path) as db:
        rows = [row[0] for row in db.execute("select data from events")]
    _assert_rows_clean(rows)


def test_url_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert tracker_database_url() == "sqlite:///var/tracker.db"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert tracker_database_url() == "postgresql://u@h/db"
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///x.db")
    assert tracker_database_url() == "sqlite:///x.db"
    assert tracker_database_url("postgresql://a@b/c") == "postgresql://a@b/c"


@pytest.fixture
def throwaway_postgres_url():
    require_postgres()
    with throwaway_postgres("tracker_test") as url:
        yield url


@pytest.mark.postgres
async def test_postgres_rows_are_redacted(throwaway_postgres_url) -> None:
    store = await _save_and_reload(throwaway_postgres_url, "bob")
    with store.engine.connect() as conn:
        rows = [row[0] for row in conn.execute(sa.text("select data from events"))]
    store.engine.dispose()
    _assert_rows_clean(rows)


async def test_dates_of_birth_are_not_stored(tmp_path) -> None:
    """A date after "born", and any date answering the form's date-of-birth question, are
    removed from the text, the parse data and the entities; other dates stay."""
    path = tmp_path / "tracker.db"
    tracker = DialogueStateTracker("dob", DOMAIN.slots)
    typed = [
        (None, "Anna Ivanova, born 12.03.1995", "12.03.1995"),
        ("date_of_birth", "12 March 1995", "12 March 1995"),
        (None, "send 50 on 01.12.2026", None),
    ]
    for asked, text, date in typed:
        tracker.update(SlotSet("requested_slot", asked))
        entities = [{"entity": "date", "value": date or "01.12.2026", "start": 0, "end": 1}]
        tracker.update(
            UserUttered(
                text,
                intent={"name": "inform"},
                entities=entities,
                parse_data={"text": text, "entities": entities},
            )
        )
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}")
    await store.save(tracker)
    with sqlite3.connect(path) as db:
        rows = "\n".join(row[0] for row in db.execute("select data from events"))
    assert "12.03.1995" not in rows
    assert "12 March 1995" not in rows
    assert "01.12.2026" in rows  # an ordinary date is not personal data


# --------------------------------------------------------------------------- the tracker cache


def _clean_turn(tracker: DialogueStateTracker, text: str) -> None:
    intent = {"name": "inform", "confidence": 1.0}
    tracker.update(UserUttered(text, intent=intent, parse_data={"text": text, "intent": intent}))
    tracker.update(SlotSet("note", text))
    tracker.update(BotUttered(f"noted: {text}"))
    tracker.update(ActionExecuted("action_listen"))


def _dump(tracker: DialogueStateTracker) -> list[dict]:
    return [event.as_dict() for event in tracker.events]


async def _fresh_read(url: str, sender: str) -> DialogueStateTracker:
    """What the table holds: read by a store with an empty cache (another replica)."""
    return await RedactingSQLTrackerStore(domain=DOMAIN, host=url).retrieve(sender)


async def test_cached_tracker_equals_the_table_and_follows_other_writers(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    replica_a = RedactingSQLTrackerStore(domain=DOMAIN, host=url)
    replica_b = RedactingSQLTrackerStore(domain=DOMAIN, host=url)
    tracker = DialogueStateTracker("carol", DOMAIN.slots)
    _clean_turn(tracker, "first")
    await replica_a.save(tracker)

    again = await replica_a.retrieve("carol")
    assert again is tracker  # served from the cache: nothing parsed, nothing replayed
    assert _dump(again) == _dump(await _fresh_read(url, "carol"))

    _clean_turn(again, "second")  # the next message, saved incrementally
    await replica_a.save(again)
    assert _dump(await _fresh_read(url, "carol")) == _dump(again)
    assert len((await _fresh_read(url, "carol")).events) == 8

    # another replica answers the next message: replica A must not serve its stale copy
    on_b = await replica_b.retrieve("carol")
    _clean_turn(on_b, "third, on the other replica")
    await replica_b.save(on_b)
    back_on_a = await replica_a.retrieve("carol")
    assert back_on_a is not tracker
    assert back_on_a.get_slot("note") == "third, on the other replica"
    assert _dump(back_on_a) == _dump(await _fresh_read(url, "carol"))


async def test_unsaved_events_and_redacted_events_are_never_served_from_the_cache(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=url)
    tracker = DialogueStateTracker("dave", DOMAIN.slots)
    _clean_turn(tracker, "hello")
    await store.save(tracker)

    # a message that failed half-way: events in memory, none in the table
    tracker.update(SlotSet("note", "never saved"))
    reread = await store.retrieve("dave")
    assert reread is not tracker and reread.get_slot("note") == "hello"

    # an event that redaction changes: the next read comes from the (redacted) table
    _clean_turn(reread, "my pin is 1234")
    await store.save(reread)
    stored = await store.retrieve("dave")
    assert stored is not reread
    assert "1234" not in json.dumps(_dump(stored))
    assert _dump(stored) == _dump(await _fresh_read(url, "dave"))


async def test_a_new_session_is_read_back_from_the_table(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=url)
    tracker = DialogueStateTracker("erin", DOMAIN.slots)
    _clean_turn(tracker, "old session")
    await store.save(tracker)
    tracker = await store.retrieve("erin")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    _clean_turn(tracker, "new session")
    await store.save(tracker)
    latest = await store.retrieve("erin")
    assert latest is not tracker  # the table gives the new session only
    assert _dump(latest) == _dump(await _fresh_read(url, "erin"))
    assert all(e.as_dict().get("value") != "old session" for e in latest.events)


async def test_cache_can_be_turned_off(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "0")
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{tmp_path / 't.db'}")
    tracker = DialogueStateTracker("fay", DOMAIN.slots)
    _clean_turn(tracker, "hi")
    await store.save(tracker)
    assert await store.retrieve("fay") is not tracker


async def test_sqlite_connections_are_pooled_with_the_pragmas(tmp_path) -> None:
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{tmp_path / 'p.db'}")
    assert isinstance(store.engine.pool, sa.pool.QueuePool)
    tracker = DialogueStateTracker("gus", DOMAIN.slots)
    _clean_turn(tracker, "hi")
    await store.save(tracker)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    assert len((await _fresh_read(f"sqlite:///{tmp_path / 'p.db'}", "gus")).events) == 4


# --------------------------------------------------------------------------- snapshots

SNAPSHOT_DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform]
slots:
  note:
    type: text
    influence_conversation: true
    mappings: [{type: custom}]
  step_up_challenge_id:
    type: text
    mappings: [{type: custom}]
"""
)


def _long_tracker(sender: str, turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, SNAPSHOT_DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    for i in range(turns):
        _clean_turn(tracker, f"turn {i}")
    return tracker


async def test_a_long_session_is_snapshotted_at_a_quiet_point(tmp_path, monkeypatch) -> None:
    """Past TRACKER_SNAPSHOT_EVENTS events, the saved tracker becomes a new session: the
    slots, then a copy of the last turns. The policies see the same states for those turns,
    the table gives back that very session, and the rows of the whole conversation stay."""
    monkeypatch.setenv("TRACKER_SNAPSHOT_EVENTS", "40")
    url = f"sqlite:///{tmp_path / 't.db'}"
    store = RedactingSQLTrackerStore(domain=SNAPSHOT_DOMAIN, host=url)
    tracker = _long_tracker("hal", 12)  # 49 events
    before_states = tracker.past_states(SNAPSHOT_DOMAIN)
    before_slots = tracker.current_slot_values()
    before_users = [e.as_dict() for e in tracker.events if isinstance(e, UserUttered)]
    await store.save(tracker)

    names = [e.as_dict().get("name") for e in list(tracker.events)[:2]]
    assert names == ["action_session_start", None]
    assert isinstance(list(tracker.events)[1], SessionStarted)
    assert tracker.current_slot_values() == before_slots
    users = [e.as_dict() for e in tracker.events if isinstance(e, UserUttered)]
    assert [u["text"] for u in users] == ["turn 9", "turn 10", "turn 11"]
    assert [u["message_id"] for u in users] == [u["message_id"] for u in before_users[-3:]]
    after_states = tracker.past_states(SNAPSHOT_DOMAIN)
    # the first state of a session has no previous action (a conversation start); the rest
    # are the states of the copied turns, as in the whole session
    assert "prev_action" not in after_states[0]
    assert after_states[1:] == before_states[-(len(after_states) - 1) :]

    assert await store.retrieve("hal") is tracker  # cached: it equals the table
    assert _dump(tracker) == _dump(await _fresh_read(url, "hal"))
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("select count(*) from events").scalar()
    assert stored == 49 + len(tracker.events)

    # the conversation goes on from the snapshot, saved incrementally
    _clean_turn(tracker, "after")
    await store.save(tracker)
    assert _dump(await _fresh_read(url, "hal")) == _dump(tracker)
    assert tracker.get_slot("note") == "after"


async def test_no_snapshot_unless_quiet_or_when_off(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_SNAPSHOT_EVENTS", "40")
    store = RedactingSQLTrackerStore(domain=SNAPSHOT_DOMAIN, host=f"sqlite:///{tmp_path / 't.db'}")

    in_a_form = _long_tracker("ivy", 12)
    in_a_form.update(ActiveLoop("transfer_form"))
    in_a_form.update(ActionExecuted("action_listen"))
    serving = _long_tracker("jon", 12)
    serving.update(SlotSet("step_up_challenge_id", "ch-1"))  # a transfer awaits its code
    serving.update(ActionExecuted("action_listen"))
    mid_turn = _long_tracker("kim", 12)
    mid_turn.update(UserUttered("hi", intent={"name": "inform"}))
    short = _long_tracker("lou", 5)
    for tracker in (in_a_form, serving, mid_turn, short):
        count = len(tracker.events)
        await store.save(tracker)
        assert len(tracker.events) == count
        assert not any(isinstance(e, SessionStarted) for e in tracker.events)

    monkeypatch.setenv("TRACKER_SNAPSHOT_EVENTS", "0")
    off = RedactingSQLTrackerStore(domain=SNAPSHOT_DOMAIN, host=f"sqlite:///{tmp_path / 'o.db'}")
    tracker = _long_tracker("max", 100)
    await off.save(tracker)
    assert not any(isinstance(e, SessionStarted) for e in tracker.events)


def test_the_copied_turns_cover_every_rule() -> None:
    """A snapshot copies SNAPSHOT_TAIL_TURNS user turns, i.e. at least 2 states per turn (the
    listen and an answer) after the session's first state: every rule of the project (its
    steps + the state before them) must fit, so rule matching is the same as on the whole
    session and a conversation_start rule cannot match right after a snapshot."""
    steps = []
    for path in Path(__file__).resolve().parents[2].glob("data/**/*.yml"):
        for rule in (yaml.safe_load(path.read_text()) or {}).get("rules") or []:
            steps.append(rule.get("steps") or [])
    assert steps
    assert max(len(s) for s in steps) + 1 <= 2 * SNAPSHOT_TAIL_TURNS
    assert max(sum(1 for step in s if "intent" in step or "or" in step) for s in steps) <= (
        SNAPSHOT_TAIL_TURNS - 1
    )


async def test_the_cache_holds_at_most_tracker_cache_size_conversations(tmp_path, monkeypatch):
    """Bounded whatever the number of senders (bench/bench_fuzz.py: junk conversations from
    signed webhooks): the least recently used conversation leaves first."""
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "3")
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{tmp_path / 't.db'}")
    trackers = {}
    for n in range(6):
        sender = f"sender-{n}"
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        _clean_turn(tracker, f"hello {n}")
        await store.save(tracker)
        trackers[sender] = await store.retrieve(sender)
        assert len(store._cache) <= 3
        if n == 3:  # sender-1 writes again: retrieved from the cache, saved
            again = await store.retrieve("sender-1")
            assert again is trackers["sender-1"]
            _clean_turn(again, "hello again")
            await store.save(again)
    assert list(store._cache) == ["sender-1", "sender-4", "sender-5"]
    evicted = await store.retrieve("sender-0")  # read from the table again
    assert evicted is not trackers["sender-0"]
    assert _dump(evicted) == _dump(trackers["sender-0"])
    assert len(store._cache) == 3 and "sender-1" not in store._cache
