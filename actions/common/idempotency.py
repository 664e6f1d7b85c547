"""Idempotency keys for the money moves a conversation asks for (transfer, top-up, card issue,
payment request, ...).

The key scheme itself is the bank client's (`bankclient.idempotency`: derived, hashed, the same
for the same customer intent); what is conversation-specific lives here: which message of the
chat a request belongs to, so a doubled message, a retried action or a restarted action server
gives the same key and a new request a new one:

    idempotency_key("transfer", identity(tracker), quote_id)
    idempotency_key("topup", identity(tracker), amount, request_anchor(tracker, "top_up_card"))
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common.conversation import request_event
from bankclient.idempotency import idempotency_key

__all__ = ["idempotency_key", "request_anchor"]


def request_anchor(tracker: Tracker, intent: str) -> str:
    """What identifies the customer's message that asked for the money move: the latest message
    with `intent` (its message id, else its timestamp), or else the latest message at all."""
    event = request_event(tracker, intent)
    if event is None:
        event = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    return str(event.get("message_id") or event.get("timestamp") or "")
