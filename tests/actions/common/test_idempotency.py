"""The one idempotency-key scheme for money moves (no bank needed)."""

from __future__ import annotations

from actions.common.idempotency import idempotency_key, request_anchor
from tests.actions.helpers import make_tracker


def test_keys_are_derived_per_operation_and_request():
    key = idempotency_key("topup", "rest:a", "100.00", "m-1")
    assert key == idempotency_key("topup", "rest:a", "100.00", "m-1")
    assert key.startswith("topup-") and "rest:a" not in key and "100" not in key
    assert key != idempotency_key("payment_request", "rest:a", "100.00", "m-1")
    assert key != idempotency_key("topup", "rest:a", "100.00", "m-2")


def test_the_anchor_is_the_message_that_asked():
    ask = {"event": "user", "text": "top up 100", "message_id": "m-ask",
           "parse_data": {"intent": {"name": "top_up_card"}}}  # fmt: skip
    after_login = make_tracker("a1", "123456", "inform", history=[ask])
    assert request_anchor(after_login, "top_up_card") == "m-ask"
    # No such request in the conversation: the latest message anchors the key.
    latest = make_tracker("a1", "hi", "greet")
    latest.events[-2]["message_id"] = "m-latest"
    assert request_anchor(latest, "top_up_card") == "m-latest"
