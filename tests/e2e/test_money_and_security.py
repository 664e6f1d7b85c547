"""Issue 28, "money and security", through the real chat (REST → Rasa → action server → bank
client → sandbox), each checked against the bank's own API:

1. a transfer whose answer was lost, then "Change the amount" and a yes: one transfer;
2. the replacement offered after a block accepts "yes give me a new one" wordings, and the new
   card keeps the Tariff Card and the credit limit;
3. a login asks for the phone: never one taken from the request that opened the gate;
4. a frozen card's account pays nothing;
5. a paid bill's debt falls, and its template quotes the current debt.
"""

from __future__ import annotations

import json
import secrets
import time
from decimal import Decimal

import pytest

from tests.corebank.soap_client import NS, call, value
from tests.e2e.helpers import (
    DEMO_PHONE,
    OTHER_BANK_CARD,
    TARAS_CARD,
    accounts,
    assert_ledger_balanced,
    flat,
    log_in,
    slot,
    tracker,
    uah_balance,
)

IRYNA_PHONE = "+380631234567"  # verified, Tariff Card, credit limit 5,000 (docs/demo-data.md)
OLENA_PHONE = "+380931112233"  # basic, her only card frozen by herself


def texts(chat, sender: str, text: str) -> list[str]:
    return [flat(t) for t in chat.texts(sender, text)]


@pytest.fixture
def faults(corebank):
    yield corebank
    corebank.clear_faults()


def _wait_for_balance(corebank, sender: str, expected: Decimal, seconds: float = 8) -> Decimal:
    deadline = time.monotonic() + seconds
    while (balance := uah_balance(corebank, sender)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return balance


# --- 1. one transfer per request, even when the amount changes after a lost answer -----------

@pytest.mark.parametrize("fault", ["late", "hang"])
def test_changed_amount_after_a_lost_answer_sends_once(chat, rasa_server, corebank, faults,
                                                      fault) -> None:
    """late: the bank posted the 100 but its answer came after the assistant stopped waiting,
    so confirming 120 must not send it too ("the 100 already went"); hang: nothing was posted,
    so the 120 goes, once."""
    sender = chat.new_sender(f"lost-{fault}")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    chat.send(sender, f"send 100 uah to {TARAS_CARD}")
    assert slot(rasa_server, sender, "requested_slot") == "transfer_confirmed"
    corebank.set_faults(paths=["/api/v1/me/transfers"],
                        **({"answer_latency_ms": 3500} if fault == "late" else {"hang": True}))
    chat.send(sender, "yes")
    assert slot(rasa_server, sender, "transfer_pending_key")  # outcome unknown: remembered
    corebank.clear_faults()
    posted = before - Decimal("100.00") if fault == "late" else before
    assert _wait_for_balance(corebank, sender, posted) == posted  # what the bank really did

    chat.send(sender, "/change_amount")
    assert slot(rasa_server, sender, "requested_slot") == "transfer_amount"
    chat.send(sender, "120")
    assert slot(rasa_server, sender, "requested_slot") == "transfer_confirmed"
    replies = " ".join(texts(chat, sender, "yes"))

    sent = Decimal("100.00") if fault == "late" else Decimal("120.00")
    assert uah_balance(corebank, sender) == before - sent  # one transfer, never both
    assert f"{sent:,.2f} UAH" in replies  # the customer is told which one went
    if fault == "late":
        assert "120.00 UAH" not in replies
    assert slot(rasa_server, sender, "transfer_pending_key") is None
    assert slot(rasa_server, sender, "active_loop") in (None, {})
    assert_ledger_balanced(corebank)


# --- 2. the replacement after a block: its wordings, its tariff and its limit ---------------

def _phone() -> str:
    return "+38099" + "".join(secrets.choice("0123456789") for _ in range(7))


def _cards(corebank, sender: str) -> list[dict]:
    with corebank.client("cards", f"rest:{sender}") as client:
        answer = client.get("/api/v1/me/cards")
    answer.raise_for_status()
    return answer.json()


def _blocked_card_holder(chat, rasa_server, corebank, prefix: str) -> str:
    """A customer whose only card was just blocked in the chat (lost): the offer is open."""
    sender = chat.new_sender(prefix)
    log_in(chat, rasa_server, corebank, sender, _phone())
    with corebank.client("cards", f"rest:{sender}") as client:
        client.post("/api/v1/me/cards", json={"tier": "basic", "holder_name": "Lost Card"},
                    headers={"Idempotency-Key": secrets.token_hex(8)}).raise_for_status()
    chat.send(sender, "I lost my card")
    chat.send(sender, "yes")
    assert [c["status"] for c in _cards(corebank, sender)] == ["blocked"]
    assert slot(rasa_server, sender, "card_mgmt_flow") == "reissue_offer"
    return sender


def _actions_since_last_message(rasa_server, sender: str) -> list[str]:
    events = tracker(rasa_server, sender)["events"]
    last = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e["name"] for e in events[last:] if e["event"] == "action"]


YES_NEW_CARD = [
    "yes give me a new one",
    "will my money be safe? also yes give me a new one",
    "yes new card",
    "yeah send me a new one",
    "sure, i need a new card",
    "ok do it",
    "yes please replace it",
    "new card pls",
    "go ahead",
    "yep, another card please",
    "of course, reissue it",
    "yes i want a new card",
]


@pytest.mark.parametrize("wording", YES_NEW_CARD)
def test_the_replacement_offer_takes_yes_in_other_words(chat, rasa_server, corebank,
                                                        wording) -> None:
    sender = _blocked_card_holder(chat, rasa_server, corebank, "yes-new")
    chat.send(sender, wording)
    cards = _cards(corebank, sender)
    assert [c["status"] for c in cards] == ["blocked", "active"], wording
    assert cards[0]["replaced_by"] == cards[1]["card_id"]  # the replacement, not a new card
    assert slot(rasa_server, sender, "requested_slot") is None  # no name question
    assert _actions_since_last_message(rasa_server, sender) == ["action_reissue_card",
                                                                "action_listen"]


def test_the_offer_is_asked_again_on_no_answer(chat, rasa_server, corebank) -> None:
    sender = _blocked_card_holder(chat, rasa_server, corebank, "unclear-new")
    chat.send(sender, "hmm what does that mean for my salary payments")
    assert [c["status"] for c in _cards(corebank, sender)] == ["blocked"]  # nothing on a guess
    assert slot(rasa_server, sender, "card_mgmt_flow") == "reissue_offer"
    assert _actions_since_last_message(rasa_server, sender)[-1] == "action_listen"
    chat.send(sender, "no")
    assert [c["status"] for c in _cards(corebank, sender)] == ["blocked"]


def test_a_stolen_tariff_card_is_replaced_with_its_tariff_and_limit(chat, rasa_server,
                                                                    corebank) -> None:
    sender = chat.new_sender("iryna-stolen")
    log_in(chat, rasa_server, corebank, sender, IRYNA_PHONE)
    (uah,) = [a for a in accounts(corebank, sender) if a["currency"] == "UAH"]
    assert Decimal(uah["credit_limit"]) == Decimal("5000.00")
    stolen = next(c for c in _cards(corebank, sender) if c["status"] == "active")
    chat.send(sender, f"my card {stolen['masked'][-4:]} was stolen")
    chat.send(sender, "yes")
    assert next(c for c in _cards(corebank, sender)
                if c["card_id"] == stolen["card_id"])["status"] == "blocked"
    chat.send(sender, "will my money be safe? also yes give me a new one")
    chat.send(sender, "yes new card")  # said again: still one new card, never a Basic one
    live = [c for c in _cards(corebank, sender) if c["status"] == "active"]
    assert len(live) == 1 and live[0]["tariff"] == "tariff", live
    (uah,) = [a for a in accounts(corebank, sender) if a["currency"] == "UAH"]
    assert Decimal(uah["credit_limit"]) == Decimal("5000.00")


# --- 3. the login asks for the phone -----------------------------------------------------------

GATED_FIRST_MESSAGES = [
    "send 100 uah to my friend 0931112233",
    f"send 5000 to {OTHER_BANK_CARD}",
    f"transfer 250 to {TARAS_CARD}",
    "send 300 uah to +380991234567",
    "pay kyivstar 0671234567 100 uah",
    "top up my mom's phone 0501234567 with 50",
    "what's my balance? my number is 0501112233",
    "i lost my card, call me on 063 123 45 67",
    "show my transactions, phone 0671234567",
    "send 1000 to my sister 097 555 44 33",
    "pay electricity 2500123456 for 380 uah",
    "block my card please, its 5351 4500 0000 0035",
]


@pytest.mark.parametrize("first", GATED_FIRST_MESSAGES)
def test_the_login_asks_for_the_phone(chat, rasa_server, corebank, first) -> None:
    sender = chat.new_sender("gate-phone")
    sms_before = corebank.sms_messages(limit=50)
    chat.send(sender, first)
    assert slot(rasa_server, sender, "requested_slot") == "phone_number", first
    assert slot(rasa_server, sender, "phone_number") is None
    assert corebank.sms_messages(limit=50) == sms_before  # no code sent to anybody


def test_the_phone_comes_from_the_answer_then_the_request_goes_on(chat, rasa_server,
                                                                   corebank) -> None:
    sender = chat.new_sender("gate-answer")
    friend_sms = corebank.sms_messages(OLENA_PHONE, limit=50)
    chat.send(sender, "what's my balance? and send 100 uah to my friend 0931112233 later")
    chat.send(sender, DEMO_PHONE)
    assert slot(rasa_server, sender, "requested_slot") == "otp_code"
    chat.send(sender, corebank.sms_code(DEMO_PHONE))
    assert slot(rasa_server, sender, "logged_in") is True
    assert corebank.sms_messages(OLENA_PHONE, limit=50) == friend_sms


# --- 4. a frozen card's account pays nothing ----------------------------------------------------

def test_a_frozen_cards_account_pays_nothing(chat, rasa_server, corebank) -> None:
    sender = chat.new_sender("frozen")
    log_in(chat, rasa_server, corebank, sender, OLENA_PHONE)
    (card,) = _cards(corebank, sender)
    assert card["status"] == "frozen"
    before = uah_balance(corebank, sender)
    replies = " ".join(texts(chat, sender, "send 100 to 4111 1111 1111 1111"))
    assert card["masked"] in replies and "frozen" in replies  # why, and which card
    assert slot(rasa_server, sender, "active_loop") in (None, {})  # nothing left to confirm
    chat.send(sender, "yes")
    replies = " ".join(texts(chat, sender, "pay kyivstar 0671234567 50 uah"))
    chat.send(sender, "yes")
    assert "frozen" in replies
    assert uah_balance(corebank, sender) == before
    assert_ledger_balanced(corebank)


# --- 5. a paid bill's debt falls; its template quotes what is owed now ----------------------

def _debt(corebank, account: str) -> Decimal:
    _, root = call(corebank, "GetDebt", "<leg:ProviderId>yasno</leg:ProviderId>"
                                        f"<leg:Account>{account}</leg:Account>")
    return Decimal(value(root, "GetDebtResponse/Debt/Amount"))


def _templates(corebank, sender: str) -> list[dict]:
    _, root = call(corebank, "ListBillTemplates", f"<leg:Identity>rest:{sender}</leg:Identity>")
    return [{"id": t.findtext(f"{{{NS}}}TemplateId"), "amount": t.findtext(f"{{{NS}}}Amount")}
            for t in root.iter(f"{{{NS}}}Template")]


def test_a_paid_bill_owes_nothing_and_its_template_quotes_the_current_debt(chat, rasa_server,
                                                                            corebank) -> None:
    sender = chat.new_sender("bill-debt")
    log_in(chat, rasa_server, corebank, sender)
    account, owed = next((a, d) for a, d in ((f"25002{n:05d}", _debt(corebank, f"25002{n:05d}"))
                                             for n in range(1, 2000)) if 50 < d <= 450)
    before = uah_balance(corebank, sender)
    chat.send(sender, f"pay yasno {account}")
    assert slot(rasa_server, sender, "bill_debt")["amount"] == str(owed)
    chat.send(sender, "yes")  # to "… due. Pay it all, or another amount?"
    assert slot(rasa_server, sender, "bill_amount") == str(owed)
    chat.send(sender, "yes")
    assert uah_balance(corebank, sender) == before - owed
    assert _debt(corebank, account) == Decimal("0.00")  # the bank's word: nothing owed now

    chat.send(sender, "/save_bill_template")
    (template,) = _templates(corebank, sender)
    assert not template["amount"]  # quotes the debt of the day, not the old bill
    chat.send(sender, "/pay_bill" + json.dumps({"bill_template": template["id"]}))
    assert slot(rasa_server, sender, "bill_amount") is None  # nothing re-quoted
    assert slot(rasa_server, sender, "bill_debt")["amount"] == "0.00"
    chat.send(sender, "/deny")
    assert uah_balance(corebank, sender) == before - owed
    assert_ledger_balanced(corebank)
