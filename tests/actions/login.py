"""Driving the login form against the sandbox, as the auth and account tests need it."""

from __future__ import annotations

import random
import uuid

from actions.auth.login_form import ValidateLoginForm
from tests.actions.helpers import make_tracker, run, slot_events, texts

ANNA = "+380501112233"  # seeded demo customer with accounts (corebank/seed.py)


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def random_phone() -> str:
    """A fresh valid Ukrainian mobile number (a newcomer), so lock-outs hit nobody else."""
    return f"+38067{random.randint(1_000_000, 9_999_999)}"


async def ask_phone(sender: str, text: str, pending: str | None = None):
    tracker = make_tracker(
        sender, text, "inform", slots={"requested_slot": "phone_number", "pending_intent": pending},
        active_loop="login_form",
    )  # fmt: skip
    return await run(ValidateLoginForm(), tracker)


async def send_code(sender: str, text: str, slots: dict, intent: str = "inform"):
    tracker = make_tracker(
        sender, text, intent, slots={**slots, "requested_slot": "otp_code"},
        active_loop="login_form",
    )  # fmt: skip
    return await run(ValidateLoginForm(), tracker)


async def otp_ref(bank, corebank, phone: str) -> str:
    """What the channel layer does: the typed code goes to the vault, Rasa gets its reference."""
    stored = await bank.vault.store_secret("otp", corebank.sms_code(phone))
    return stored.secret_ref


async def login(bank, corebank, sender: str, phone: str = ANNA) -> dict:
    events, _ = await ask_phone(sender, phone)
    slots = slot_events(events)
    events, messages = await send_code(sender, await otp_ref(bank, corebank, phone), slots)
    slots.update(slot_events(events))
    assert slots["logged_in"] is True, texts(messages)
    return slots
