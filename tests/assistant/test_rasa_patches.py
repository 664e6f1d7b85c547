"""The cached action-response validation accepts and refuses exactly what Rasa's did."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from assistant import rasa_patches

GOOD = {
    "events": [{"event": "slot", "name": "logged_in", "value": True}],
    "responses": [{"text": "hi"}],
}
BAD = {"events": [{"event": "slot", "name": 5}], "responses": "nope"}


@pytest.mark.parametrize("patched", [False, True])
def test_same_verdicts_as_rasa(patched: bool) -> None:
    if patched:
        rasa_patches.apply()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(GOOD) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(BAD)


def test_event_classes_resolve_exactly_as_rasa_does() -> None:
    from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events

    original = rasa_patches._original_resolve_by_type
    rasa_patches.apply()
    for name in ("slot", "user", "bot", "action", "session_started", "active_loop", "rewind"):
        assert Event.resolve_by_type(name) is original(name)
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards compatibility
    assert Event.resolve_by_type("nope", default=SlotSet) is SlotSet
    assert "nope" not in rasa_patches._event_classes  # a default is never remembered
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("nope")
    events = deserialise_events([{"event": "slot", "name": "a", "value": 1},
                                 {"event": "user", "text": "hi", "parse_data": {}}])  # fmt: skip
    assert [type(e) for e in events] == [SlotSet, UserUttered]
