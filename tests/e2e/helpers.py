"""Helpers for conversations driven over the REST channel."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx

DEMO_PHONE = "+380501112233"  # Anna, verified, seeded by corebank/seed.py (docs/demo-data.md)


def tracker(rasa_server, sender: str) -> dict:
    """The conversation as Rasa sees it (HTTP API, JWT-protected)."""
    answer = httpx.get(
        f"{rasa_server.url}/conversations/{sender}/tracker",
        headers=rasa_server.api_headers(),
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


TARAS_PHONE = "+380671234567"  # basic, UAH 1,500, basic card (docs/demo-data.md)
TARAS_CARD = "4149 4900 0000 0023"  # Taras's own-bank card (the sandbox's seed)
OTHER_BANK_CARD = "5555 5555 5555 4444"


def accounts(corebank, sender: str) -> list[dict]:
    """The customer's accounts as the BANK reports them (its REST API, not the chat)."""
    with corebank.client("accounts", f"rest:{sender}") as client:
        answer = client.get("/api/v1/me/accounts")
    answer.raise_for_status()
    return answer.json()


def uah_balance(corebank, sender: str) -> Decimal:
    return next(Decimal(a["balance"]) for a in accounts(corebank, sender) if a["currency"] == "UAH")


def assert_ledger_balanced(corebank) -> None:
    check = corebank.check_ledger()
    assert check["balanced"] is True, check


def bot_texts(rasa_server, sender: str) -> list[str]:
    """Every bot message of the conversation, proactive ones included (from the tracker)."""
    return [e.get("text") or "" for e in tracker(rasa_server, sender)["events"]
            if e["event"] == "bot"]  # fmt: skip


def wait_for_bot_text(rasa_server, sender: str, prefix: str, timeout: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [t for t in bot_texts(rasa_server, sender) if t.startswith(prefix)]
        if found:
            return found
        time.sleep(0.3)
    return []


def money(value: Decimal | str) -> str:
    """How the assistant writes UAH amounts (docs/conversation-design.md): 1,500.00 UAH."""
    return f"{Decimal(value):,.2f} UAH"


def flat(text: str) -> str:
    """Domain responses are folded YAML: compare texts with whitespace collapsed."""
    return " ".join(text.split())
