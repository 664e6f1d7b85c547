"""Invite friends and partner offers through the real stack (Rasa with the trained model, the
action server, the sandbox bank, the partners sandbox):

- an inviter asks for the invitation code over REST; a newcomer opens the bot through the
  Telegram deep link (`/start <code>`, a signed webhook through the verified channel), logs in,
  gets a card: the welcome bonus is on the newcomer's account, the inviter's reward on theirs,
  and the inviter is told in the chat, unprompted (the bank's webhook → Rasa);
- partner offers: a personal promo code from the partner's API, the same code again, the
  partner down (a clear answer, nothing recorded)."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

import httpx
import pytest

from tests.assistant.channels.platforms import body_of, platforms
from tests.e2e.helpers import (
    assert_ledger_balanced,
    flat,
    log_in,
    uah_balance,
    wait_for_bot_text,
)

TELEGRAM = next(p for p in platforms() if p.name == "telegram")


def new_phone() -> str:
    return f"+38066{secrets.randbelow(10**7):07d}"


def issue_card(corebank, identity: str, name: str = "Test Inviter") -> dict:
    with corebank.client("cards", identity) as client:
        answer = client.post("/api/v1/me/cards", json={"tier": "basic", "holder_name": name},
                             headers={"Idempotency-Key": secrets.token_hex(8)})
    assert answer.status_code == 201, answer.text
    return answer.json()


def telegram_say(rasa_server, platform_api, update: dict, user: str) -> list[str]:
    before = len([m for m in TELEGRAM.sent(platform_api) if m["to"] == user])
    body = body_of(update)
    answer = httpx.post(f"{rasa_server.url}{TELEGRAM.path}", content=body, timeout=60,
                        headers={"Content-Type": "application/json", **TELEGRAM.sign(body)})
    assert answer.status_code == 200, answer.text
    return [m["text"] for m in TELEGRAM.sent(platform_api) if m["to"] == user][before:]


def test_invite_a_friend_through_a_telegram_deep_link(chat, rasa_server, corebank,
                                                      platform_api):
    # the inviter: a customer with a card, asking over REST
    inviter, inviter_phone = chat.new_sender("inviter"), new_phone()
    log_in(chat, rasa_server, corebank, inviter, inviter_phone)
    issue_card(corebank, f"rest:{inviter}")
    [answer] = chat.texts(inviter, "give me my invite link pls")
    code = re.search(r"Your invitation code: (INV\w+)", answer).group(1)
    assert flat(answer).endswith(
        "When a friend joins with it and gets a card, you get 100.00 UAH (up to 500.00 UAH a "
        "month) and your friend gets a 50.00 UAH welcome bonus. So far: 0 friend(s) invited, "
        "0 got a card, you earned 0.00 UAH (0.00 UAH this month).")
    before = uah_balance(corebank, inviter)

    # the newcomer opens the bot through the inviter's Telegram link: t.me/<bot>?start=<code>
    user = str(secrets.randbelow(10**9) + 10**9)
    TELEGRAM.user = user
    [hello] = telegram_say(rasa_server, platform_api, TELEGRAM.start_update(code, user=user), user)
    assert flat(hello) == (
        "Hi! Test invited you: with your card you get a 50.00 UAH welcome bonus. I can issue "
        "you a digital card in under a minute: just say \"get a card\".")
    # they log in and get a card (the bank's API stands in for the card conversation)
    identity, phone = f"telegram:tg-{user}", new_phone()
    corebank.login(phone, identity)
    card = issue_card(corebank, identity, "New Friend")
    assert card["welcome"]["amount"] == "50.00"
    with corebank.client("accounts", identity) as client:
        [account] = client.get("/api/v1/me/accounts").json()
    assert account["balance"] == "50.00"

    # the inviter: rewarded once and told in the chat, unprompted
    [told] = wait_for_bot_text(rasa_server, inviter, "Good news")
    assert flat(told).startswith(
        "Good news: New got a card with your invitation, and 100.00 UAH has been credited to "
        "your account as a thank-you.")
    assert uah_balance(corebank, inviter) == before + Decimal("100.00")
    [stats] = chat.texts(inviter, "how many friends have i invited and what did i earn")
    assert "So far: 1 friend(s) invited, 1 got a card, you earned 100.00 UAH" in flat(stats)
    assert_ledger_balanced(corebank)


def test_a_typed_invalid_code_gets_a_clear_answer(chat, rasa_server, corebank):
    sender = chat.new_sender("newcomer")
    log_in(chat, rasa_server, corebank, sender, new_phone())
    [answer] = chat.texts(sender, "my invitation code is INVNOPE99")
    assert flat(answer) == (
        "I couldn't find the invitation code INVNOPE99. Please check it (it looks like INV and "
        "6 letters or digits, e.g. INVK7P2QX) and send it again.")


@pytest.fixture
def partner_down(partners):
    partners.set_faults(down=True)
    yield partners
    partners.clear_faults()


def test_partner_promo_code_once(chat, rasa_server, corebank, partners):
    sender = chat.new_sender("offers")
    log_in(chat, rasa_server, corebank, sender)  # Anna, Digital Tariff Card
    issued = partners.stats()["codes_issued"]
    [answer] = chat.texts(sender, "give me a twitch promo code")
    code = re.search(r"promo code: (TTV-\w+)", answer).group(1)
    assert flat(answer) == (
        f"Your personal Twitch promo code: {code} (1 month of Turbo). Use it at Twitch; it's "
        "yours, and asking again gives the same code.")
    [again] = chat.texts(sender, "give me a twitch promo code")
    assert code in again and again.startswith("You already have a Twitch promo code")
    assert partners.stats()["codes_issued"] == issued + 1
    [listed] = chat.texts(sender, "burger king cashback")
    assert flat(listed).startswith("Burger King: • 5% cashback at Burger King")


def test_partner_down_gets_a_clear_answer(chat, rasa_server, corebank, partner_down):
    sender = chat.new_sender("offers")
    log_in(chat, rasa_server, corebank, sender, "+380671234567")  # Taras, basic card
    [answer] = chat.texts(sender, "whopper promo code please")
    assert flat(answer) == (
        "Sorry, Burger King's system isn't answering right now, so I couldn't get your promo "
        "code. Nothing was activated; please try again in a few minutes.")


WHATSAPP = next(p for p in platforms() if p.name == "whatsapp")


def test_whatsapp_link_prefilled_text_joins_after_the_login(rasa_server, corebank,
                                                            platform_api):
    """WhatsApp has no start parameter: the wa.me link prefills the first message with the
    code; the newcomer sends it, logs in (phone + code), and the invitation is applied."""
    inviter = f"rest:{secrets.token_hex(6)}"
    corebank.login(new_phone(), inviter)
    issue_card(corebank, inviter, "Olha Inviter")
    with corebank.client("cards", inviter) as client:
        code = client.get("/api/v1/me/referral").json()["code"]
    user = f"38067{secrets.randbelow(10**7):07d}"
    WHATSAPP.user = user

    def say(text: str) -> str:
        before = len([m for m in WHATSAPP.sent(platform_api) if m["to"] == user])
        body = body_of(WHATSAPP.text_update(text, user=user))
        answer = httpx.post(f"{rasa_server.url}{WHATSAPP.path}", content=body, timeout=60,
                            headers={"Content-Type": "application/json", **WHATSAPP.sign(body)})
        assert answer.status_code == 200, answer.text
        sent = [m["text"] for m in WHATSAPP.sent(platform_api) if m["to"] == user]
        return " ".join(sent[before:])

    say(f"Hi! I'd like to join with invitation code {code}")  # the link's prefilled text
    phone = "+" + user
    say(phone)
    done = say(corebank.sms_code(phone))
    assert flat(
        "Done: you joined with Olha's invitation. When you get your card, you get a 50.00 UAH "
        "welcome bonus (and Olha gets a thank-you bonus). Say \"get a card\" to start."
    ) in flat(done)
