"""Run rasa-sdk actions directly: a Tracker built from JSON and a CollectingDispatcher."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
# What the bank client reads from the environment: copied from a sandbox fixture's env.
WRAPPER_ENV = (
    "COREBANK_URL",
    "COREBANK_REALM",
    "COREBANK_CLIENT_ID",
    "COREBANK_CLIENT_SECRET",
    "COREBANK_SOAP_USER",
    "COREBANK_SOAP_PASSWORD",
)


@functools.lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    """The real domain.yml as the action server receives it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml")).as_dict()


def make_tracker(
    sender_id: str,
    text: str = "",
    intent: str | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    channel: str = "rest",
    history: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest event is the form/action run after the user's message."""
    all_slots = {name: None for name in domain()["slots"]}
    all_slots["logged_in"] = False
    all_slots.update(slots or {})
    latest_message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    events = list(history or [])
    events += [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest_message, "input_channel": channel},
        {"event": "action", "name": active_loop or "action_under_test"},
    ]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest_message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        # What Rasa sends: the action before the one running (the form, or listening).
        latest_action_name=active_loop or "action_listen",
    )


async def run(action: Any, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    """→ (events, messages)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain())
    return events, dispatcher.messages


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@functools.lru_cache(maxsize=1)
def _catalog():
    from responses_service.catalog import Renderer, load_files

    return Renderer(load_files())


def texts(messages: list[dict]) -> str:
    """What the customer reads: a message's own text, or its response rendered from the catalog
    with the action's values, as the responses service would (conditions see no slots)."""
    return "\n".join(str(m.get("text") or _rendered_text(m)) for m in messages)


def _rendered_text(message: dict) -> str:
    if not message.get("response"):
        return ""
    arguments = {k: v for k, v in message.items() if k != "response"}
    rendered = _catalog().render(message["response"], {}, "", arguments) or {}
    return str(rendered.get("text") or "")


def responses(messages: list[dict]) -> list[str]:
    return [m["response"] for m in messages if m.get("response")]
