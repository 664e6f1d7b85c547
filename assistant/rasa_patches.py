"""Every patch of a third-party library's code (Rasa 3.6, rasa-sdk, sanic-jwt, ...), in one place.
A patch anywhere else is a defect: add it here, to this list, with its test.

1-3. rasa: RemoteAction._validate_action_result, Event.resolve_by_type,
     MemoizationPolicy.predict_action_probabilities (speed; details below).
     Test: tests/assistant/test_rasa_patches.py.
4-5. sanic-jwt (Rasa's HTTP API check): Authentication._get_token, Authentication._decode
     (security: `harden_jwt_errors`). Tests: tests/assistant/test_rasa_patches.py,
     tests/e2e/test_rasa_api_auth.py.

rasa-sdk is not patched (rasa_sdk_plugins/ adds a plugin through its documented hook).

Patches 1-3 (`apply()`) keep Rasa's behaviour exactly and are kept only because each paid for
itself in bench/bench_conversations.py (docs/performance.md lists their measured effect).
They are applied when our channels are loaded into the Rasa process (guard.py) and when the NLU
components load (nlu_components/__init__.py). Patches 4-5 (`harden_jwt_errors()`) change what
Rasa's HTTP API accepts; assistant/rasa_main.py applies them when it enables the API.

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


MAX_CLOCK_SKEW_SECONDS = 5


def harden_jwt_errors() -> None:
    """sanic-jwt 1.8 (Rasa's JWT check) turns a bad signature into 401, but:
    - lets PyJWT's other refusals (a token whose header names another algorithm, e.g. "none" or
      HS512; a malformed claim) escape as exceptions, which Rasa answers with 500;
    - accepts a token without `exp`, and an expired one for 3 more minutes (its default leeway).
    - answers an Authorization header that is not "Bearer <token>" (Basic, an empty bearer)
      with its own 400 instead of "not authenticated".
    Here every refusal is a 401, `exp` is required and expired means expired (5 s of clock
    skew)."""
    import time

    import jwt
    from sanic_jwt import exceptions
    from sanic_jwt.authentication import Authentication

    if getattr(Authentication._decode, "hardened", False):
        return  # applied already
    original = Authentication._decode
    original_get_token = Authentication._get_token

    def _get_token(self, request, refresh_token=False):
        try:
            return original_get_token(self, request, refresh_token=refresh_token)
        except exceptions.InvalidAuthorizationHeader:
            raise exceptions.MissingAuthorizationHeader() from None

    Authentication._get_token = _get_token

    async def _decode(self, token, verify=True, inline_claims=None):
        try:
            claims = await original(self, token, verify=verify, inline_claims=inline_claims)
        except jwt.exceptions.DecodeError:
            raise
        except (jwt.exceptions.InvalidTokenError, ValueError, TypeError) as exc:
            raise jwt.exceptions.DecodeError(f"refused: {type(exc).__name__}") from None
        if verify:
            exp = claims.get("exp") if isinstance(claims, dict) else None
            if not isinstance(exp, (int, float)) or exp + MAX_CLOCK_SKEW_SECONDS < time.time():
                raise jwt.exceptions.DecodeError("refused: no exp, or expired")
        return claims

    _decode.hardened = True
    Authentication._decode = _decode
