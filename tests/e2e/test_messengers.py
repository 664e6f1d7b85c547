"""One conversation per messenger through the real stack (Rasa with the trained model, the action
server, the sandbox bank): updates are posted to Rasa's real webhook route signed as the platform
signs them; the bot's answers are read from the stand-in of the platform's send API.

login → balance → transfer with confirmation (a second tap on the used button moves no money;
on Telegram the used keyboard is removed and the message with the card number deleted) →
top-up notifications (the bank's signed webhook to the action server, which has Rasa message the
customer on the messenger, unprompted, through the outbox): while the platform answers "too many
requests" once, delivered exactly once; outside the messaging window as a template (WhatsApp) or
tagged (Messenger); to a customer who blocked the bot, tried once and then not any more. Then
the spoofing attempts on every messenger route: nothing gets in, nothing is stored."""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from actions.notifications.webhooks import sign
from assistant.channels.messengers.meta import OWN_NUMBER_BUTTON
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

    def received(self, refused: bool = False) -> list[dict]:
        sent = self.platform.sent(self.api, refused=refused)
        return [m for m in sent if m["to"] == self.platform.user]

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

    def balance(self, corebank) -> Decimal:
        """The customer's UAH balance as the BANK reports it."""
        identity = f"{self.platform.name}:{self.key}"
        with corebank.client("accounts", identity) as client:
            answer = client.get("/api/v1/me/accounts")
        answer.raise_for_status()
        return next(Decimal(a["balance"]) for a in answer.json() if a["currency"] == "UAH")

    def bank_event(self, action_server, **data) -> None:
        """The bank's signed top-up webhook about this customer (delivered to the action
        server, which has Rasa tell the customer unprompted)."""
        event = {
            "event_id": f"evt_{uuid.uuid4().hex[:16]}",
            "type": "topup.succeeded",
            "identity": f"{self.platform.name}:{self.key}",
            "data": {"currency": "UAH", "balance_after": "24950.00",
                     "masked_card": "•••• 1111", **data},
            "created_at": "2026-11-26T15:00:00Z",
        }
        body = json.dumps(event).encode()
        secret = action_server.service.env["BANK_WEBHOOK_SECRET"]
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

    def wait_for(self, count: int, refused: bool = False, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received(refused)
            if len(got) >= count:
                return got
            time.sleep(0.2)
        return self.received(refused)

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
    if platform.name == "whatsapp":  # the sender's own number is offered; Anna's is typed here
        buttons = ask["raw"]["interactive"]["action"]["buttons"]
        assert [b["reply"]["id"] for b in buttons] == [OWN_NUMBER_BUTTON]
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
    request = platform.text_update(f"send 50 uah to {OTHER_BANK_CARD}")
    asked = anna.say(request)
    assert asked, "no answer to the transfer request"
    question = asked[-1]
    assert "4444" in " ".join(m["text"] for m in asked)
    if platform.name == "telegram":
        assert question["raw"]["reply_markup"]["inline_keyboard"]
        # the message with the card number is deleted from the chat, and Anna told why
        deleted = platform.telegram_calls(platform_api, "deleteMessage")
        assert {"chat_id": platform.user,
                "message_id": request["message"]["message_id"]} in deleted
    done = anna.press("/affirm")
    assert "Done!" in done, done
    assert OTHER_BANK_CARD.replace(" ", "") not in done
    if platform.name == "telegram":  # the used keyboard is gone
        edits = platform.telegram_calls(platform_api, "editMessageReplyMarkup")
        assert any(e["chat_id"] == int(platform.user) for e in edits)
    # a second tap on the used confirmation (a stale client, a double tap) moves no money
    after_transfer = anna.balance(corebank)
    anna.press("/affirm")
    assert anna.balance(corebank) == after_transfer

    # top-up notification while the platform says "too many requests" once: exactly once
    platform_api.refuse(platform.name, "rate", to=platform.user, times=1)
    before, refused_before = len(anna.received()), len(anna.received(refused=True))
    anna.bank_event(action_server, amount="100.00")
    notices = anna.wait_for(before + 1)[before:]
    time.sleep(1.0)  # a second copy would be here by now
    assert len(anna.received()) == before + 1, anna.received()[before:]
    assert len(anna.received(refused=True)) == refused_before + 1
    notice = notices[0]["text"]
    assert "topped up" in notice and "100" in notice, notice

    if platform.name in ("whatsapp", "facebook"):
        # outside the 24-hour window: the approved template / the ACCOUNT_UPDATE tag
        refusal = platform_api.refuse(platform.name, "window", to=platform.user, times=None)
        before = len(anna.received())
        anna.bank_event(action_server, amount="200.00")
        [late] = anna.wait_for(before + 1)[before:]
        platform_api.refusals.remove(refusal)
        if platform.name == "whatsapp":
            assert late["kind"] == "template", late
            assert late["raw"]["template"]["name"] == "bank_topup_succeeded"
            assert "200.00" in late["text"]
        else:
            assert late["tag"] == "ACCOUNT_UPDATE" and "200.00" in late["text"], late

    # Anna blocks the bot: one attempt, recorded; the next notice is not even tried
    refusal = platform_api.refuse(platform.name, "blocked", to=platform.user, times=None)
    refused_before = len(anna.received(refused=True))
    anna.bank_event(action_server, amount="300.00")
    assert len(anna.wait_for(refused_before + 1, refused=True)) == refused_before + 1
    anna.bank_event(action_server, amount="400.00")
    time.sleep(2.0)
    assert len(anna.received(refused=True)) == refused_before + 1
    platform_api.refusals.remove(refusal)


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
    # older than the replay memory (a week): a captured request replayed, not a redelivery
    stale = body_of(platform.text_update("balance", at=time.time() - 9 * 86400))
    assert (
        httpx.post(url, content=stale, headers=platform.sign(stale), timeout=30).status_code == 403
    )
    users = [e for e in tracker(rasa_server, key)["events"] if e["event"] == "user"]
    assert users == []
    assert not [m for m in platform.sent(platform_api) if m["to"] == platform.user]
