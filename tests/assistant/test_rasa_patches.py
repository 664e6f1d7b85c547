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
