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


def test_memoization_with_nothing_memorised_predicts_what_rasa_predicts(tmp_path) -> None:
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("version: '3.1'\nintents: [greet]\nresponses:\n"
                              "  utter_hi: [{text: hi}]\n")  # fmt: skip
    policy = MemoizationPolicy(
        MemoizationPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("memo"),
        ExecutionContext(GraphSchema({}), "1"),
    )
    tracker = DialogueStateTracker.from_events("s", [
        ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"}),
    ])  # fmt: skip
    expected = rasa_patches._original_memoization_predict(policy, tracker, domain)
    rasa_patches.apply()
    assert not policy.lookup
    got = MemoizationPolicy.predict_action_probabilities(policy, tracker, domain)
    assert got == expected
    assert got.probabilities == expected.probabilities and not any(got.probabilities)
    assert (got.policy_name, got.policy_priority) == (expected.policy_name, 3)
    # something memorised: Rasa's own code runs (and recalls it)
    policy.lookup = {"some-key": "utter_hi"}
    assert MemoizationPolicy.predict_action_probabilities(policy, tracker, domain) is not None


@pytest.fixture
def jwt_auth(monkeypatch):
    """sanic-jwt's Authentication as Rasa sets it up (HS256, one secret); the patches are undone
    after the test."""
    import asyncio

    from sanic import Sanic
    from sanic_jwt import Initialize, exceptions
    from sanic_jwt.authentication import Authentication

    monkeypatch.setattr(Authentication, "_decode", Authentication._decode)
    monkeypatch.setattr(Authentication, "_get_token", Authentication._get_token)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    monkeypatch.setattr(Sanic, "test_mode", True)

    async def authenticate(request, *args, **kwargs):
        raise exceptions.AuthenticationFailed()

    app = Sanic(f"jwt_patch_test_{id(loop)}")
    Initialize(app, secret=JWT_SECRET, authenticate=authenticate, algorithm="HS256",
               user_id="username")
    yield app.ctx.auth, loop
    loop.close()


JWT_SECRET = "s" * 64


def _token(algorithm: str = "HS256", **claims) -> str:
    import jwt

    return jwt.encode({"user": {"username": "x"}, **claims}, JWT_SECRET, algorithm=algorithm)


def test_sanic_jwt_patches_refuse_what_sanic_jwt_lets_through(jwt_auth) -> None:
    """Patches 4-5: sanic-jwt alone accepts a token without `exp` and one expired a minute ago
    (its 3-minute leeway) and lets a token of another algorithm escape as an exception Rasa
    answers with 500; patched, each is the DecodeError that sanic-jwt answers with 401."""
    import time

    import jwt

    auth, loop = jwt_auth
    no_exp, expired = _token(), _token(exp=int(time.time()) - 60)
    other_algorithm = _token("HS512", exp=int(time.time()) + 60)
    good = _token(exp=int(time.time()) + 60)
    assert loop.run_until_complete(auth._decode(no_exp))["user"] == {"username": "x"}
    assert loop.run_until_complete(auth._decode(expired))["user"] == {"username": "x"}
    with pytest.raises(jwt.exceptions.InvalidAlgorithmError):
        loop.run_until_complete(auth._decode(other_algorithm))

    rasa_patches.harden_jwt_errors()
    rasa_patches.harden_jwt_errors()  # idempotent
    for token in (no_exp, expired, other_algorithm):
        with pytest.raises(jwt.exceptions.DecodeError):
            loop.run_until_complete(auth._decode(token))
    assert loop.run_until_complete(auth._decode(good))["user"] == {"username": "x"}
