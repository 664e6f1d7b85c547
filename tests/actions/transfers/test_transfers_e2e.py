"""Transfers and the proactive top-up message through the whole stack: REST channel (card
numbers and codes tokenized there) → Rasa (newest model in models/) → action server → sandbox.
Needs a trained model (`rasa train`); skipped otherwise by the `trained_model` fixture."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from actions.notifications.webhooks import sign
from tests.e2e.helpers import DEMO_PHONE, log_in, tracker

pytestmark = pytest.mark.e2e


def everything(messages: list[dict]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def test_transfer_by_card_number_over_the_rest_channel(chat, rasa_server, corebank):
    sender = chat.new_sender("trf")
    log_in(chat, rasa_server, corebank, sender)
    quote = chat.send(sender, "send 10 uah to 4149 4900 0000 0023")
    text = everything(quote)
    assert "•••• 0023" in text and "Taras S." in text, text
    assert "Fee: 0.00 UAH" in text
    done = chat.send(sender, "yes")
    text = everything(done)
    if "code" in text.lower():  # the bank's step-up: a first transfer to this card
        done = chat.send(sender, corebank.sms_code(DEMO_PHONE))
        text = everything(done)
    assert "Done!" in text and "Receipt No." in text, text
    assert any(m.get("image", "").endswith(".png") for m in done), text
    stored = json.dumps(tracker(rasa_server, sender), ensure_ascii=False)
    assert "4149490000000023" not in stored and "4149 4900 0000 0023" not in stored
    assert corebank.check_ledger()["balanced"] is True


def test_step_up_transfer_with_the_code_typed_in_the_chat(chat, rasa_server, corebank):
    sender = chat.new_sender("stepup")
    log_in(chat, rasa_server, corebank, sender)
    chat.send(sender, "transfer 600 to 5555 5555 5555 4444")
    asked = everything(chat.send(sender, "yes"))
    assert "code" in asked.lower(), asked
    code = corebank.sms_code(DEMO_PHONE)
    done = everything(chat.send(sender, code))
    assert "Done!" in done, done
    stored = json.dumps(tracker(rasa_server, sender), ensure_ascii=False)
    assert code not in stored and "5555555555554444" not in stored


def test_bank_webhook_becomes_a_proactive_message(chat, rasa_server, action_server, corebank):
    sender = chat.new_sender("hook")
    chat.send(sender, "hi")
    body = json.dumps({
        "event_id": f"evt_{uuid.uuid4().hex[:20]}", "type": "topup.succeeded",
        "identity": f"rest:{sender}", "created_at": "2026-01-01T00:00:00Z",
        "data": {"amount": "100.00", "currency": "UAH", "balance_after": "1600.00",
                 "masked_card": "•••• 0023"},
    }).encode()  # fmt: skip
    headers = {"X-Bank-Signature": sign(corebank.webhook_secret, body, int(time.time())),
               "Content-Type": "application/json"}
    for expected in ("delivered", "duplicate"):
        answer = httpx.post(f"{action_server.url}/webhooks/bank", content=body, headers=headers,
                            timeout=30)
        assert answer.status_code == 200 and answer.json()["status"] == expected
    bot = [e.get("text") or "" for e in tracker(rasa_server, sender)["events"]
           if e["event"] == "bot"]
    told = [t for t in bot if "topped up with 100.00 UAH" in t]
    assert len(told) == 1, bot
