"""Reading the conversation: who the chat is, what the customer just said, and which message
started the request a form or action is serving."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

DEFAULT_CHANNEL = "rest"


def identity(tracker: Tracker) -> str:
    """`<latest input channel>:<sender_id>` (channel `rest` when Rasa doesn't know it): the
    `X-Messenger-Identity` the bank knows this chat by."""
    channel = tracker.get_latest_input_channel() or DEFAULT_CHANNEL
    return f"{channel}:{tracker.sender_id}"


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def typed_text(source: Tracker | dict[str, Any]) -> str:
    """The text the customer typed in a message (a parse result) or in the tracker's latest
    message; empty for a button payload ("/deny"), which is not something the customer typed."""
    message = source if isinstance(source, dict) else source.latest_message
    text = (message or {}).get("text") or ""
    return "" if text.startswith("/") else text


def request_message(
    tracker: Tracker, intent: str, boundaries: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The customer's request that started a form (`intent`). Usually the latest message; when
    the form starts right after a login, the latest message is the login code, so the request
    is looked up further back (never past one of `boundaries`, the end of an earlier flow)."""
    latest = tracker.latest_message or {}
    if latest_intent(tracker) == intent:
        return latest
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in boundaries:
            break
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            if (parse.get("intent") or {}).get("name") == intent:
                return {**parse, "text": event.get("text") or ""}
    return latest


def request_event(tracker: Tracker, intent: str) -> dict[str, Any] | None:
    """The latest user event whose intent is `intent` (the request being served, maybe from
    before a login), or None."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if ((event.get("parse_data") or {}).get("intent") or {}).get("name") == intent:
                return event
    return None


def delivery_key(tracker: Tracker) -> str | None:
    """The id of the bank event a proactive turn reports (entity `delivery_key`, set by
    actions/notifications/webhooks.py). Passed with the messages (`utter_message(...,
    delivery_key=...)`), it lets the messengers' outbox store each of them once however often
    the event is triggered (assistant/channels/messengers/outbox.py)."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "delivery_key" and isinstance(entity.get("value"), str):
            return entity["value"][:64]
    return None
