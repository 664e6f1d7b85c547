"""RedactingSQLTrackerStore: every saved row is redacted, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.redaction import contains_sensitive
from assistant.tracker_store import RedactingSQLTrackerStore, tracker_database_url
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
