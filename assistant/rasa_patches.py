"""Every patch of Rasa 3.6's internals, in one place (docs/performance.md lists them with their
measured effect). Applied when our channels are loaded into the Rasa process (guard.py).
Each one keeps Rasa's behaviour exactly (tests/assistant/test_rasa_patches.py) and is kept only
because it paid for itself in bench/bench_conversations.py.

1. Action-response validation: Rasa 3.6 checks every action-server response with
   `jsonschema.validate(result, schema)`, which first validates the *schema itself* against the
   JSON Schema meta-schema, on every action call (~45 ms of CPU per call, measured with
   cProfile). Here the schema is checked once and the validator reused; responses are
   validated exactly as before (same schema, same ValidationError with Rasa's message).
2. Event classes by type name: `Event.resolve_by_type` walks `all_subclasses(Event)` (a
   recursive walk of every Event class) for each event it deserialises: every event of every
   action response and of every tracker read from the store. Here each type name is resolved
   once and remembered (the Event classes do not change after start-up); a name that does not
   resolve is never remembered, so it still falls back or raises exactly as before.
3. Memoization with nothing memorised: `MemoizationPolicy.predict_action_probabilities` builds
   the states of the whole session (a replay of every event) and deep-copies them for a debug
   log before it looks them up. With an empty lookup (this project's dialogue is all rules:
   no stories, so nothing is memorised) the answer is always "no prediction": it is returned
   straight away, the same PolicyPrediction Rasa builds.

RASA_PATCHES_OFF=validator,event_types,memoization turns patches off (to measure them with
the bench).
"""

from __future__ import annotations

import os
from functools import cache, wraps

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_applied = False


@cache
def _action_response_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once per process instead of once per call
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict) -> bool:
    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_original_resolve_by_type = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}


def _resolve_by_type(type_name, default=None):
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _original_resolve_by_type(type_name, default)
        if cls is not None and cls is not default:
            _event_classes[type_name] = cls
    return cls


_original_memoization_predict = MemoizationPolicy.predict_action_probabilities


# `wraps`: Rasa's graph validation reads the return annotation of a policy's predict method.
@wraps(_original_memoization_predict)
def _memoization_predict(self, tracker, domain, rule_only_data=None, **kwargs):
    if not self.lookup:  # nothing memorised: recall() can only answer None
        return self._prediction(self._default_predictions(domain))
    return _original_memoization_predict(self, tracker, domain, rule_only_data, **kwargs)


def apply() -> None:
    global _applied
    if not _applied:
        off = {name.strip() for name in os.environ.get("RASA_PATCHES_OFF", "").split(",")}
        if "validator" not in off:
            RemoteAction._validate_action_result = _validate_action_result
        if "event_types" not in off:
            Event.resolve_by_type = staticmethod(_resolve_by_type)
        if "memoization" not in off:
            MemoizationPolicy.predict_action_probabilities = _memoization_predict
        _applied = True
