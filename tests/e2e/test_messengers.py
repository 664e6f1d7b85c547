"""One conversation per messenger through the real stack (Rasa with the trained model, the action
server, the sandbox bank): updates are posted to Rasa's real webhook route signed as the platform
signs them; the bot's answers are read from the stand-in of the platform's send API.

login → balance → transfer with confirmation → top-up notification (the bank's signed webhook to
the action server, which has Rasa message the customer on the messenger, unprompted). Then the
spoofing attempts on every messenger route: nothing gets in, nothing is stored."""

from __future__ import annotations

import json
import random
import re
import time
import uuid

import httpx
import pytest

from actions.notifications.webhooks import sign
from tests.assistant.channels.platforms import Platform, StandInAPI, body_of, platforms
from tests.e2e.helpers import DEMO_PHONE, slot, tracker

MONEY = re.compile(r"\d[\d\s,]*\.\d{2}")
OTHER_BANK_CARD = "5555 5555 5555 4444"


def _new_user(platform: Platform) -> str:
    if platform.name == "viber":
        return uuid.uuid4().hex[:20] + "+/A="  # Viber ids are base64
    if platform.name == "whatsapp":
        return f"38067{random.randrange(10**7):07d}"
    return str(random.randrange(10**9, 10**10))


class Customer:
    """A customer writing to the bot on one messenger."""

    def __init__(self, platform: Platform, rasa_server, api: StandInAPI) -> None:
        self.platform, self.rasa, self.api = platform, rasa_server, api
        self.platform.user = _new_user(platform)
        self.key = platform.prefix + platform.user

    def received(self) -> list[dict]:
        return [m for m in self.platform.sent(self.api) if m["to"] == self.platform.user]

    def say(self, update: dict) -> list[dict]:
        """Post a signed update; the bot's messages sent because of it."""
        before = len(self.received())
        body = body_of(update)
        answer = httpx.post(
            f"{self.rasa.url}{self.platform.path}",
            content=body,
            headers={"Content-Type": "application/json", **self.platform.sign(body)},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        return self.received()[before:]

    def text(self, text: str) -> str:
        return " ".join(m["text"] for m in self.say(self.platform.text_update(text)))

    def press(self, payload: str) -> str:
        platform = self.platform
        if platform.name == "telegram":
            update = {
                "update_id": random.randrange(10**9),
                "callback_query": {
                    "id": uuid.uuid4().hex,
                    "data": payload,
                    "from": {"id": int(platform.user), "language_code": "en"},
                    "message": {
                        "message_id": 1,
                        "chat": {"id": int(platform.user), "type": "private"},
                    },
                },
            }
        elif platform.name == "viber":
            update = platform.text_update(payload)
        else:
            update = platform.update({"button": payload})
        return " ".join(m["text"] for m in self.say(update))


@pytest.mark.parametrize("platform", platforms(), ids=lambda p: p.name)
def test_a_whole_conversation_on_the_messenger(
    platform, rasa_server, action_server, platform_api, corebank
) -> None:
    anna = Customer(platform, rasa_server, platform_api)

    # login
    [ask] = anna.say(platform.text_update("/login"))
    assert slot(rasa_server, anna.key, "requested_slot") == "phone_number"
    if platform.name == "whatsapp":  # the sender id is the WhatsApp number; typed here
        anna.text(DEMO_PHONE)
    else:  # the platform's "share my phone number" button, and the contact it sends
        if platform.name == "telegram":
            assert ask["raw"]["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        elif platform.name == "viber":
            assert ask["raw"]["keyboard"]["Buttons"][0]["ActionType"] == "share-phone"
        else:
            assert ask["raw"]["message"]["quick_replies"] == [{"content_type": "user_phone_number"}]
        anna.say(platform.update({"contact": DEMO_PHONE.lstrip("+")}))
    assert slot(rasa_server, anna.key, "requested_slot") == "otp_code"
    code = corebank.sms_code(DEMO_PHONE)
    assert "logged in" in anna.text(code)
    assert slot(rasa_server, anna.key, "logged_in") is True
    users = [e for e in tracker(rasa_server, anna.key)["events"] if e["event"] == "user"]
    assert {e["input_channel"] for e in users} == {platform.name}
    assert all(code not in json.dumps(e) for e in users)

    # balance
    assert MONEY.search(anna.text("what's my balance?"))

    # transfer with confirmation (buttons rendered natively, pressed as the platform sends it)
    asked = anna.say(platform.text_update(f"send 50 uah to {OTHER_BANK_CARD}"))
    assert asked, "no answer to the transfer request"
    question = asked[-1]
    assert "4444" in " ".join(m["text"] for m in asked)
    if platform.name == "telegram":
        assert question["raw"]["reply_markup"]["inline_keyboard"]
    done = anna.press("/affirm")
    assert "Done!" in done, done
    assert OTHER_BANK_CARD.replace(" ", "") not in done

    # top-up notification: the bank's signed webhook → action server → Rasa → this messenger
    event = {
        "event_id": f"evt_{uuid.uuid4().hex[:16]}",
        "type": "topup.succeeded",
        "identity": f"{platform.name}:{anna.key}",
        "data": {
            "amount": "100.00",
            "currency": "UAH",
            "balance_after": "24950.00",
            "masked_card": "•••• 1111",
        },
        "created_at": "2026-11-26T15:00:00Z",
    }
    body = json.dumps(event).encode()
    secret = action_server.service.env["BANK_WEBHOOK_SECRET"]
    before = len(anna.received())
    delivered = httpx.post(
        f"{action_server.url}/webhooks/bank",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Bank-Signature": sign(secret, body, int(time.time())),
        },
        timeout=30,
    )
    assert delivered.status_code == 200, delivered.text
    deadline = time.monotonic() + 20
    while len(anna.received()) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    notice = " ".join(m["text"] for m in anna.received()[before:])
    assert "topped up" in notice and "100" in notice, notice


@pytest.mark.parametrize("platform", platforms(), ids=lambda p: p.name)
def test_spoofed_updates_get_nowhere(platform, rasa_server, platform_api) -> None:
    platform.user = _new_user(platform)
    key = platform.prefix + platform.user
    update = platform.text_update("what's my balance?")
    body = body_of(update)
    url = f"{rasa_server.url}{platform.path}"
    for headers in (
        {},  # unsigned
        platform.sign(body, secret="a-guess-of-the-secret-000000"),  # forged
    ):
        answer = httpx.post(url, content=body, headers=headers, timeout=30)
        assert answer.status_code == 401
    stale = body_of(platform.text_update("balance", at=time.time() - 3 * 86400))
    assert (
        httpx.post(url, content=stale, headers=platform.sign(stale), timeout=30).status_code == 403
    )
    users = [e for e in tracker(rasa_server, key)["events"] if e["event"] == "user"]
    assert users == []
    assert not [m for m in platform.sent(platform_api) if m["to"] == platform.user]
