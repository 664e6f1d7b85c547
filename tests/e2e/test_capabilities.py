"""Every capability through the real channel (REST → Rasa → action server → sandbox): one happy
and at least one unhappy conversation each, asserting the exact replies and, where the bank is
involved, its resulting state read from the bank's own API (balances, cards, transactions) and
a balanced ledger.

Customers (corebank/seed.py, docs/demo-data.md): Anna (verified, tariff card), Taras (basic
card), Iryna (verified, UAH 800) and newcomers with fresh phone numbers."""

from __future__ import annotations

import re
import secrets
import sqlite3
from datetime import datetime
from decimal import Decimal

import httpx
import pytest

from tests.e2e.helpers import (
    DEMO_PHONE,
    TARAS_CARD,
    TARAS_PHONE,
    accounts,
    assert_ledger_balanced,
    flat,
    log_in,
    money,
    slot,
    uah_balance,
)
from tests.e2e.responses import said

IRYNA_PHONE = "+380631234567"
LOGIN_NEEDED = "To keep your money safe, I need to check it's you first. It takes a few seconds."
ASK_PHONE = "What's your phone number? For example +380 50 111 22 33 or 0501112233."
NO_ACCOUNTS = (
    "You don't have an account with us yet. Want to get a free digital card? It takes under a "
    "minute."
)


def texts(chat, sender: str, text: str) -> list[str]:
    return [flat(t) for t in chat.texts(sender, text)]


def new_phone() -> str:
    return "+38099" + "".join(secrets.choice("0123456789") for _ in range(7))


def masked_phone(phone: str) -> str:
    return f"{phone[:6]}•••{phone[-4:]}"


def newcomer(chat, rasa_server, corebank, prefix: str) -> tuple[str, str]:
    """A person the bank has never seen, logged in by phone + code: no accounts yet."""
    sender, phone = chat.new_sender(prefix), new_phone()
    assert texts(chat, sender, "/login") == [ASK_PHONE]
    assert texts(chat, sender, phone) == [
        f"I've sent a 6-digit code to {masked_phone(phone)}. Please type it here."
    ]
    assert texts(chat, sender, corebank.sms_code(phone)) == [
        "Thanks, you're logged in.",
        "What would you like to do?",
    ]
    return sender, phone


def bank_cards(corebank, sender: str) -> list[dict]:
    with corebank.client("cards", f"rest:{sender}") as client:
        answer = client.get("/api/v1/me/cards")
    answer.raise_for_status()
    return answer.json()


def bank_transactions(corebank, sender: str) -> list[dict]:
    with corebank.client("accounts", f"rest:{sender}") as client:
        answer = client.get("/api/v1/me/transactions", params={"limit": 8})  # what the chat shows
    answer.raise_for_status()
    return answer.json()


# ------------------------------------------------------------------------------------ login


def test_login_happy(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-login")
    assert log_in(chat, rasa_server, corebank, sender) == [
        "Thanks, Anna, you're logged in.",
        "What would you like to do?",
    ]
    assert slot(rasa_server, sender, "logged_in") is True
    assert accounts(corebank, sender)  # the bank knows this chat as Anna now


def test_login_unhappy_bad_phone_then_wrong_code(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-nologin")
    assert texts(chat, sender, "/login") == [ASK_PHONE]
    assert texts(chat, sender, "12345") == [
        "That doesn't look like a phone number I can use. Please send it like +380 50 111 22 33 "
        "or 0501112233.",
        ASK_PHONE,
    ]
    chat.send(sender, TARAS_PHONE)
    code = corebank.sms_code(TARAS_PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert texts(chat, sender, wrong) == [
        "That code isn't right. You have 2 attempts left.",
        "I've sent a 6-digit code to +38067•••4567. Please type it here.",
    ]
    assert slot(rasa_server, sender, "logged_in") is not True
    with corebank.client("accounts", f"rest:{sender}") as client:
        assert client.get("/api/v1/me/accounts").status_code in (401, 403)


# ------------------------------------------------------------------------------------ balance


def test_balance_happy(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-bal")
    log_in(chat, rasa_server, corebank, sender)
    by_currency = {a["currency"]: a for a in accounts(corebank, sender)}
    uah, usd = by_currency["UAH"], by_currency["USD"]
    assert Decimal(uah["credit_limit"]) > 0 and Decimal(usd["credit_limit"]) == 0
    assert chat.texts(sender, "what's my balance") == [
        "Here are your balances:\n"
        f"• UAH account: {money(uah['available'])} available (own money "
        f"{money(uah['balance'])}, credit limit {money(uah['credit_limit'])})\n"
        f"• USD account: {Decimal(usd['available']):,.2f} USD available"
    ]


def test_balance_unhappy_no_account_yet(chat, rasa_server, corebank) -> None:
    sender, _ = newcomer(chat, rasa_server, corebank, "cap-nobal")
    assert texts(chat, sender, "what's my balance") == [NO_ACCOUNTS]
    assert accounts(corebank, sender) == []


def test_balance_unhappy_asks_to_log_in_first(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-gate")
    assert texts(chat, sender, "what's my balance") == [LOGIN_NEEDED, ASK_PHONE]
    assert slot(rasa_server, sender, "logged_in") is not True


# ------------------------------------------------------------------------------------ transfer


def test_transfer_happy_exact_reply_and_balances(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-trf")
    log_in(chat, rasa_server, corebank, sender, IRYNA_PHONE)
    taras = chat.new_sender("cap-taras")
    corebank.login(TARAS_PHONE, f"rest:{taras}")
    before, taras_before = uah_balance(corebank, sender), uah_balance(corebank, taras)
    assert texts(chat, sender, f"send 15 uah to {TARAS_CARD}") == [
        f"Send {money(15)} to •••• 0023 (Taras S., a card of our bank)? It arrives instantly. "
        f"Fee: {money(0)}. Total: {money(15)}."
    ]
    after = before - Decimal("15.00")
    done = texts(chat, sender, "yes")
    receipt = re.fullmatch(
        rf"Done! {re.escape(money(15))} went to •••• 0023\. Fee: {re.escape(money(0))}\. Your "
        rf"balance is now {re.escape(money(after))}\. Receipt No\. (\S+)\.",
        done[0],
    )
    assert receipt, done
    assert done[1:] == ["Your receipt:", "", ""]  # the caption, the receipt image, the PDF
    assert uah_balance(corebank, sender) == after
    assert uah_balance(corebank, taras) == taras_before + Decimal("15.00")
    assert_ledger_balanced(corebank)


def test_transfer_unhappy_over_the_limit(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-limit")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    assert texts(chat, sender, "send 999999 to 5555 5555 5555 4444") == [
        f"That's over your limit: one transfer can be at most {money(30000)}.",
        "How much would you like to send? For example 500 or 1 250.50 UAH.",
    ]
    assert texts(chat, sender, "no") == ["Okay, I've cancelled the transfer. No money was sent."]
    assert uah_balance(corebank, sender) == before
    assert_ledger_balanced(corebank)


# ------------------------------------------------------------------------------------ history


def test_history_happy_shows_the_bank_transactions(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-hist")
    log_in(chat, rasa_server, corebank, sender, IRYNA_PHONE)
    chat.send(sender, f"send 7 uah to {TARAS_CARD}")
    chat.send(sender, "yes")  # so the history has today's transfer on top
    rows = bank_transactions(corebank, sender)
    assert len(rows) >= 2 and Decimal(rows[0]["amount"]) == Decimal("-7.00")
    reply = chat.texts(sender, "show my transactions")
    assert len(reply) == 1
    title, *lines, balance = reply[0].split("\n")
    assert title == f"Your last {len(rows)} transactions:"
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        day = datetime.fromisoformat(row["at"].replace("Z", "+00:00")).strftime("%d %b")
        amount = Decimal(row["amount"])
        sign = "-" if amount < 0 else "+"
        assert line.startswith(f"{day}  {row['description'][:21]}"), (line, row)
        assert line.endswith(f"{sign}{money(abs(amount))}"), (line, row)
    assert balance == f"Balance now: {money(rows[0]['balance_after'])}"


def test_history_unhappy_no_transactions_yet(chat, rasa_server, corebank) -> None:
    sender, _ = newcomer(chat, rasa_server, corebank, "cap-nohist")
    chat.send(sender, "i want a card")
    chat.send(sender, "Marta Hnatiuk")
    assert len(bank_cards(corebank, sender)) == 1
    assert texts(chat, sender, "show my transactions") == [
        "There are no transactions on your account yet."
    ]
    assert bank_transactions(corebank, sender) == []


# ------------------------------------------------------------------------------------ bank details


def test_bank_details_happy(chat, rasa_server, corebank, action_server) -> None:
    sender = chat.new_sender("cap-iban")
    log_in(chat, rasa_server, corebank, sender)
    with corebank.client("accounts", f"rest:{sender}") as client:
        details = client.get("/api/v1/me/bank-details").json()
    iban = " ".join(details["iban"][i : i + 4] for i in range(0, len(details["iban"]), 4))
    messages = chat.send(sender, "my details for receiving a salary")
    reply = [m.get("text", "") for m in messages]
    assert reply[0] == (
        "Your bank details for receiving money:\n"
        f"Recipient: {details['holder']}\nIBAN: {iban}\nBank: {details['bank_name']}\n"
        f"BIC/SWIFT: {details['bic']}\nCurrency: UAH"
    )
    # The same as a QR code picture and a PDF document (served by the action server).
    assert reply[1] == "Scan or share this QR code to pay you:"
    image = next(m["image"] for m in messages if m.get("image"))
    pdf_text = next(t for t in reply if t.startswith("The same as a PDF document: "))
    # Fetched from the action server's /media route (MEDIA_BASE_URL is not set in this stack).
    media = f"{action_server.url.rstrip('/')}/media/"
    with httpx.Client(timeout=10) as web:
        assert web.get(media + image.rsplit("/", 1)[1]).content.startswith(b"\x89PNG")
        pdf = web.get(media + pdf_text.rsplit("/", 1)[1])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_bank_details_unhappy_no_account_yet(chat, rasa_server, corebank) -> None:
    sender, _ = newcomer(chat, rasa_server, corebank, "cap-noiban")
    assert texts(chat, sender, "bank details") == [NO_ACCOUNTS]


# ------------------------------------------------------------------------------------ cards


def test_card_happy_newcomer_gets_a_basic_card(chat, rasa_server, corebank) -> None:
    sender, _ = newcomer(chat, rasa_server, corebank, "cap-card")
    assert texts(chat, sender, "i want a card") == [
        "Great, let's get you a card! What name should be on it? Your first and last name in "
        "Latin letters, like Anna Ivanova."
    ]
    messages = chat.send(sender, "Ivan Petrenko")
    (card,) = bank_cards(corebank, sender)
    assert card["holder_name"] == "IVAN PETRENKO" and card["tariff"] == "basic"
    assert card["status"] == "active"
    assert flat(messages[0]["text"]) == (
        f"Done! Your digital card {card['masked']} is ready to use right now. 🎉"
    )
    assert messages[1]["image"].endswith(".png")
    assert flat(messages[2]["text"]).startswith(
        "To see the full card number and CVV, open this one-time secure link (it works once, "
        f"for 5 min): {corebank.base_url}/secure/"
    )
    assert flat(messages[3]["text"]) == (
        "Want a credit limit and cashback from 2% to 33%? The Digital Tariff Card takes about a "
        "minute more (passport details)."
    )
    assert [Decimal(a["balance"]) for a in accounts(corebank, sender)] == [Decimal("0.00")]
    assert_ledger_balanced(corebank)


def test_card_unhappy_already_has_one(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-nocard")
    log_in(chat, rasa_server, corebank, sender)
    before = bank_cards(corebank, sender)
    assert texts(chat, sender, "i want a card") == [
        "You already have the Digital Tariff Card: •••• 0016. One is all you need! I can order a "
        "plastic one for it."
    ]
    assert bank_cards(corebank, sender) == before


def test_card_unhappy_bank_down_opens_nothing(chat, rasa_server, corebank) -> None:
    sender, _ = newcomer(chat, rasa_server, corebank, "cap-carddown")
    chat.send(sender, "i want a card")
    corebank.set_faults(error_rate=1.0, paths=["/api/v1/me/cards"])
    try:
        assert texts(chat, sender, "Olha Bondar") == [
            "Sorry, the bank isn't responding right now, so no card was opened and nothing was "
            "changed. Please try again in a few minutes."
        ]
    finally:
        corebank.clear_faults()
    assert bank_cards(corebank, sender) == [] and accounts(corebank, sender) == []


# ---------------------------------------------------------------- top-up and payment-request links


def _page_opens(url: str) -> None:
    answer = httpx.get(url, timeout=15)
    assert answer.status_code == 200 and 'name="nonce"' in answer.text


def test_topup_link_happy(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-top")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    before = uah_balance(corebank, sender)
    (message,) = chat.send(sender, "top up my card with 100 uah")
    found = re.fullmatch(
        rf"Here's your secure page to top up {re.escape(money(100))}: "
        rf"({re.escape(corebank.base_url)}/pay/topups/top_\w+) Type the other bank's card there "
        r"\(never here in the chat\)\. The link works for 1[45] minutes, and I'll tell you here "
        r"as soon as the money arrives\.",
        flat(message["text"]),
    )
    assert found, message
    assert message["buttons"] == [
        {"title": f"Top up {money(100)}", "payload": found.group(1), "type": "web_url"}
    ]
    _page_opens(found.group(1))
    assert uah_balance(corebank, sender) == before  # nothing moves until the page is paid


def test_topup_unhappy_bad_amount_then_stop(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-notop")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    before = uah_balance(corebank, sender)
    problem, question = texts(chat, sender, "top up -5")
    assert problem.startswith("The amount must be more than zero.")
    assert question == said("utter_ask_topup_form_topup_amount")
    assert texts(chat, sender, "stop") == ["Okay, no top-up. Nothing was charged."]
    assert uah_balance(corebank, sender) == before


def test_payment_request_link_happy(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-req")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    (message,) = chat.send(sender, "ask a friend for 55 uah")
    found = re.fullmatch(
        rf"Here's your payment link for {re.escape(money(55))}: "
        rf"({re.escape(corebank.base_url)}/pay/requests/prq_\w+) Send it to your friend: they can "
        r"pay with any bank's card\. I'll let you know here when it's paid\.",
        flat(message["text"]),
    )
    assert found, message
    _page_opens(found.group(1))


def test_payment_request_unhappy_zero_amount(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-noreq")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    problem, question = texts(chat, sender, "ask a friend for 0 uah")
    assert problem.startswith("The amount must be more than zero.")
    assert question == said("utter_ask_payment_request_form_request_amount")


# ------------------------------------------------------------------------------------ fallback


DIDNT_GET_IT = "Sorry, I didn't quite get that. Could you say it another way? Or pick one of these:"


def test_fallback_happy_recovers(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-fb")
    chat.send(sender, "hi")
    assert texts(chat, sender, "yes") == [DIDNT_GET_IT]
    assert texts(chat, sender, "what's my balance") == [LOGIN_NEEDED, ASK_PHONE]


def test_fallback_unhappy_twice_offers_a_person(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("cap-fb2")
    chat.send(sender, "hi")
    assert texts(chat, sender, "yes") == [DIDNT_GET_IT]
    offer = chat.send(sender, "yes")
    assert [flat(m["text"]) for m in offer] == [
        "I'm still not getting it, sorry. Would you like me to pass you to a person from our "
        "team?"
    ]
    assert [b["payload"] for b in offer[0]["buttons"]] == ["/human_handoff", "/help"]


# ------------------------------------------------------------------------------------ handoff


def _handoffs(assistant_env, sender: str) -> list[tuple]:
    with sqlite3.connect(assistant_env.workdir / "assistant.db") as db:
        return list(db.execute(
            "select id, reason, status from handoff_requests where sender = ?", (f"rest:{sender}",)
        ))  # fmt: skip


HANDOFF = (
    "I've asked a colleague to join. An operator will reply right here in this chat (Mon–Fri "
    "9:00–20:00, Sat–Sun 10:00–18:00, Kyiv time; outside those hours, first thing next morning). "
    "Your reference number is {reference}."
)


def test_handoff_happy_records_the_request(chat, rasa_server, assistant_env) -> None:
    sender = chat.new_sender("cap-human")
    reply = texts(chat, sender, "talk to a person")
    ((request_id, reason, status),) = _handoffs(assistant_env, sender)
    assert reply == [HANDOFF.format(reference=f"H-{request_id:06d}")]
    assert (reason, status) == ("customer_request", "open")


def test_handoff_unhappy_store_down(chat, rasa_server, assistant_env) -> None:
    sender = chat.new_sender("cap-nohuman")
    path = assistant_env.workdir / "assistant.db"
    with sqlite3.connect(path) as db:
        db.execute("alter table handoff_requests rename to handoff_requests_away")
    try:
        assert texts(chat, sender, "talk to a person") == [
            "Sorry, I couldn't reach our team just now. Please try again in a few minutes, or "
            "call the number on the back of your card."
        ]
    finally:
        with sqlite3.connect(path) as db:
            db.execute("alter table handoff_requests_away rename to handoff_requests")
    assert _handoffs(assistant_env, sender) == []


@pytest.mark.parametrize("phone", [DEMO_PHONE])
def test_logout_ends_the_bank_session(chat, rasa_server, corebank, phone) -> None:
    sender = chat.new_sender("cap-out")
    log_in(chat, rasa_server, corebank, sender, phone)
    assert texts(chat, sender, "/logout") == ["You're logged out. See you next time!"]
    assert slot(rasa_server, sender, "logged_in") is False
    with corebank.client("accounts", f"rest:{sender}") as client:
        assert client.get("/api/v1/me/accounts").status_code in (401, 403)
