"""Outside the 24-hour customer-service window (WhatsApp, Messenger) a free-form message is
refused by the platform: WhatsApp takes only an approved template, Messenger only a message
carrying a tag that fits what it says. `templates.yml` lists both, by response name; the
outbox (outbox.py) asks here what to send, and records when the answer is "nothing"."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

CATALOG = Path(__file__).with_name("templates.yml")
HUMAN_AGENT_DAYS = 7


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, Any]:
    return yaml.safe_load(CATALOG.read_text(encoding="utf-8")) or {}


def response_name(message: dict[str, Any]) -> str:
    """The response a bot message was rendered from (Rasa keeps it as `utter_action`); an
    operator's reply says `operator_reply`."""
    return str(message.get("utter_action") or message.get("kind") or "")


def whatsapp_template(message: dict[str, Any], language: str) -> dict[str, Any] | None:
    """The `template` object of a WhatsApp Cloud API message for `message`, or None."""
    entry = (catalog().get("whatsapp") or {}).get(response_name(message))
    if not entry:
        return None
    languages = list(entry.get("languages") or ["uk"])
    code = language if language in languages else languages[0]
    parameters = [
        {"type": "text", "text": str(message.get(name) or "-")[:1024]}
        for name in entry.get("parameters") or []
    ]
    template: dict[str, Any] = {"name": entry["name"], "language": {"code": code}}
    if parameters:
        template["components"] = [{"type": "body", "parameters": parameters}]
    return template


def messenger_tag(message: dict[str, Any]) -> str | None:
    tag = (catalog().get("facebook") or {}).get(response_name(message))
    return str(tag) if tag else None
