"""The fallback and the handoff to a person (no bank needed; the handoff uses a throwaway
assistant store)."""

from __future__ import annotations

from actions.basics.fallback import ActionDefaultFallback, previous_turn_actions
from actions.basics.handoff import ActionHumanHandoff, HandoffRequest
from actions.common import db
from tests.actions.helpers import make_tracker, responses, run


def _turn(actions: list[str]) -> list[dict]:
    return [{"event": "user", "text": "x"}] + [{"event": "action", "name": a} for a in actions]


def test_previous_turn_actions():
    events = _turn(["action_default_fallback", "action_listen"]) + [{"event": "user"}]
    assert previous_turn_actions(events) == ["action_default_fallback", "action_listen"]
    assert previous_turn_actions([{"event": "user"}]) == []


async def test_fallback_twice_in_a_row_offers_a_person():
    first = make_tracker("f1", "blorp", "nlu_fallback")
    _, messages = await run(ActionDefaultFallback(), first)
    assert responses(messages) == ["utter_default"]

    second = make_tracker(
        "f1", "flibber", "nlu_fallback", history=_turn(["action_default_fallback"])
    )
    _, messages = await run(ActionDefaultFallback(), second)
    assert responses(messages) == ["utter_fallback_offer_human"]


async def test_handoff_is_recorded_without_message_text(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    tracker = make_tracker("h1", "my card 4111 1111 1111 1111 is stuck, get me a human",
                           "human_handoff", channel="telegram")  # fmt: skip
    events, messages = await run(ActionHumanHandoff(), tracker)
    assert events == []
    assert messages[0]["response"] == "utter_handoff_requested"
    reference = messages[0]["reference"]
    assert reference.startswith("H-")

    with db.session_scope(url) as session:
        rows = session.query(HandoffRequest).all()
    assert [(r.sender, r.reason, r.status, r.reference) for r in rows] == [
        ("telegram:h1", "customer_request", "open", reference)
    ]
    with open(tmp_path / "assistant.db", "rb") as db_file:
        assert b"4111" not in db_file.read()


async def test_handoff_after_fallbacks_says_why(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    tracker = make_tracker(
        "h2", "/human_handoff", "human_handoff", history=_turn(["action_default_fallback"])
    )
    await run(ActionHumanHandoff(), tracker)
    with db.session_scope(url) as session:
        (row,) = session.query(HandoffRequest).all()
    assert row.reason == "repeated_misunderstanding"
