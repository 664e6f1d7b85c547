"""Helpers for conversations driven over the REST channel."""

from __future__ import annotations

import httpx

DEMO_PHONE = "+380501112233"  # Anna, verified, seeded by corebank/seed.py (docs/demo-data.md)


def tracker(rasa_server, sender: str) -> dict:
    """The conversation as Rasa sees it (HTTP API, token-protected)."""
    answer = httpx.get(
        f"{rasa_server.url}/conversations/{sender}/tracker",
        params={"token": rasa_server.token},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


def slot(rasa_server, sender: str, name: str):
    return tracker(rasa_server, sender)["slots"].get(name)


def log_in(chat, rasa_server, corebank, sender: str, phone: str = DEMO_PHONE) -> list[str]:
    """Start with "/login", give the phone, type the code the sandbox texted. Returns the
    bot's answers to the code."""
    chat.send(sender, "/login")
    assert slot(rasa_server, sender, "requested_slot") == "phone_number"
    chat.send(sender, phone)
    assert slot(rasa_server, sender, "requested_slot") == "otp_code"
    return chat.texts(sender, corebank.sms_code(phone))
