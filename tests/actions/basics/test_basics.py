"""The fallback and the handoff to a person (no bank needed; the handoff uses a throwaway
assistant store)."""

from __future__ import annotations

from actions.basics.fallback import (
    ActionDefaultAskAffirmation,
    ActionDefaultFallback,
    previous_turn_actions,
)
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


async def test_fallback_in_a_form_undoes_the_message_so_the_form_goes_on():
    tracker = make_tracker("f2", "hmm what", "inform", active_loop="bill_form")
    events, messages = await run(ActionDefaultFallback(), tracker)
    assert responses(messages) == ["utter_default_in_form"]
    assert [e["event"] for e in events] == ["rewind", "followup"]  # rewind: UserUtteranceReverted


async def test_fallback_outside_a_form_undoes_nothing():
    events, _ = await run(ActionDefaultFallback(), make_tracker("f3", "blorp", "nlu_fallback"))
    assert [e["event"] for e in events] == ["followup"]


def _hesitating(text: str, ranking: list[tuple[str, float]]):
    tracker = make_tracker("a1", text, "nlu_fallback", active_loop="action_two_stage_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        *({"name": name, "confidence": c} for name, c in ranking),
    ]
    return tracker


async def test_did_you_mean_offers_the_two_likeliest_intents_in_words():
    tracker = _hesitating(
        "my card is somewhere i dont know",
        [("lock_card", 0.28), ("card_info", 0.25), ("issue_card", 0.2)],
    )
    _, messages = await run(ActionDefaultAskAffirmation(), tracker)
    assert responses(messages) == ["utter_did_you_mean"]
    assert messages[0]["buttons"] == [
        {"title": "Lock my card (lost or stolen)", "payload": "/lock_card"},
        {"title": "Card tariffs and cashback", "payload": "/card_info"},
        {"title": "Something else", "payload": "/out_of_scope"},
    ]


async def test_did_you_mean_skips_answers_and_off_topic():
    # affirm / inform / out_of_scope are no request to offer: the next offerable one is used.
    tracker = _hesitating("ok 500", [("inform", 0.3), ("out_of_scope", 0.2), ("top_up_card", 0.1)])
    _, messages = await run(ActionDefaultAskAffirmation(), tracker)
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/top_up_card", "/out_of_scope"]


async def test_did_you_mean_without_a_candidate_asks_to_rephrase():
    tracker = _hesitating("hmm", [("affirm", 0.3), ("deny", 0.3)])
    _, messages = await run(ActionDefaultAskAffirmation(), tracker)
    assert responses(messages) == ["utter_ask_rephrase"]
    assert "buttons" not in messages[0] or not messages[0]["buttons"]


async def test_giving_up_the_two_stage_fallback_offers_a_person():
    tracker = make_tracker("a2", "/out_of_scope", "out_of_scope",
                           active_loop="action_two_stage_fallback")  # fmt: skip
    _, messages = await run(ActionDefaultFallback(), tracker)
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
