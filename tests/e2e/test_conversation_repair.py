"""Conversation repair through the real stack (REST → Rasa → action server → sandbox), on the
flow engine (actions/common/flow): the chats of issue 21, and for each irreversible
confirmation at least 40 messages that are not an explicit yes, which never execute it. The
bank's own API says what happened (nothing blocked, no money moved)."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from tests.e2e.helpers import TARAS_CARD, flat, log_in, slot, uah_balance

pytestmark = pytest.mark.e2e

# Not an explicit yes: denials, other requests, questions, gibberish, "no, X instead".
NOT_A_YES = [
    "no", "nope", "nah", "no thanks", "not now", "maybe later", "wait", "hold on",
    "hmm", "hmm no", "i'm not sure", "let me think", "don't", "no don't do that",
    "what's my balance", "show my last transactions", "help", "what can you do",
    "how much is the fee?", "what happens if I do it?", "is it safe?", "who are you",
    "asdfgh", "??", "idk", "lol", "🤔", "hello", "привіт", "ні", "ні, не треба", "нет",
    "no, just freeze it for now", "hmm no, just freeze it for now, I might find it",
    "no, freeze it instead", "actually just pause it", "no, make it 200",
    "no, send 50 instead", "yes but no", "ok not now", "yes?", "sure... wait, no",
]


def _phone() -> str:
    return "+38099" + "".join(secrets.choice("0123456789") for _ in range(7))


def _cards(corebank, sender: str) -> list[dict]:
    with corebank.client("cards", f"rest:{sender}") as client:
        answer = client.get("/api/v1/me/cards")
    answer.raise_for_status()
    return answer.json()


def _card_holder(chat, rasa_server, corebank, prefix: str) -> tuple[str, dict]:
    sender = chat.new_sender(prefix)
    log_in(chat, rasa_server, corebank, sender, _phone())
    with corebank.client("cards", f"rest:{sender}") as client:
        made = client.post("/api/v1/me/cards", json={"tier": "basic", "holder_name": "Repair Test"},
                           headers={"Idempotency-Key": secrets.token_hex(8)})
    made.raise_for_status()
    return sender, _cards(corebank, sender)[0]


def _texts(chat, sender: str, text: str) -> list[str]:
    return [flat(t) for t in chat.texts(sender, text)]


def test_at_least_forty_messages_that_are_not_a_yes() -> None:
    assert len(set(NOT_A_YES)) >= 40


def test_no_just_freeze_at_a_stolen_card_block_freezes_it(chat, rasa_server, corebank):
    sender, card = _card_holder(chat, rasa_server, corebank, "freeze-not-block")
    asked = _texts(chat, sender, "my card was stolen")
    assert asked[-1].startswith(f"Block {card['masked']} for good"), asked
    offered = _texts(chat, sender, "hmm no, just freeze it for now, I might find it")
    assert [c["status"] for c in _cards(corebank, sender)] == ["active"]  # nothing blocked
    assert offered and offered[-1].startswith(f"Freeze {card['masked']}?"), offered
    assert slot(rasa_server, sender, "card_lock_reason") == "temporary"
    _texts(chat, sender, "/affirm")
    assert [c["status"] for c in _cards(corebank, sender)] == ["frozen"]  # frozen, not blocked


def test_nothing_but_an_explicit_yes_blocks_a_card(chat, rasa_server, corebank):
    sender, card = _card_holder(chat, rasa_server, corebank, "never-blocked")
    executed = []
    for text in NOT_A_YES:
        asked = _texts(chat, sender, "my card was stolen")
        assert any(t.startswith(f"Block {card['masked']} for good") for t in asked), (text, asked)
        _texts(chat, sender, text)
        if [c["status"] for c in _cards(corebank, sender)] != ["active"]:
            executed.append(text)
            break
        chat.send(sender, "/deny")  # end whatever is open before the next try
    assert executed == []
    assert [c["status"] for c in _cards(corebank, sender)] == ["active"]


def test_nothing_but_an_explicit_yes_sends_money(chat, rasa_server, corebank):
    sender = chat.new_sender("never-sent")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    for text in NOT_A_YES:
        chat.send(sender, f"send 10 uah to {TARAS_CARD}")
        assert slot(rasa_server, sender, "requested_slot") == "transfer_confirmed", text
        chat.send(sender, text)
        assert uah_balance(corebank, sender) == before, f"money moved on {text!r}"
        chat.send(sender, "/deny")
    assert uah_balance(corebank, sender) == before


def test_no_make_it_200_gives_a_new_quote(chat, rasa_server, corebank):
    sender = chat.new_sender("make-it-200")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    chat.send(sender, f"send 100 uah to {TARAS_CARD}")
    assert slot(rasa_server, sender, "transfer_quote")["requested_amount"] == "100.00"
    chat.send(sender, "no, make it 200")
    assert uah_balance(corebank, sender) == before
    assert slot(rasa_server, sender, "requested_slot") == "transfer_confirmed"
    assert slot(rasa_server, sender, "transfer_quote")["requested_amount"] == "200.00"
    chat.send(sender, "/affirm")
    assert uah_balance(corebank, sender) == before - Decimal("200")


@pytest.mark.parametrize("amount", ["minus 100", "-100", "1e9", "1_000", "1" * 40])
def test_every_odd_amount_gets_a_clear_question(chat, rasa_server, corebank, amount):
    sender = chat.new_sender("odd-amount")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    replies = _texts(chat, sender, f"send {amount} to {TARAS_CARD}")
    assert any("For example 250 or 1 500.50" in r for r in replies), replies
    assert slot(rasa_server, sender, "transfer_amount") is None
    assert slot(rasa_server, sender, "transfer_quote") is None  # nothing quoted
    assert uah_balance(corebank, sender) == before


# ------------------------------------------------------------------------- card issuing


def _newcomer(chat, rasa_server, corebank, prefix: str) -> str:
    sender = chat.new_sender(prefix)
    log_in(chat, rasa_server, corebank, sender, _phone())
    return sender


def test_hesitation_is_never_put_on_the_card(chat, rasa_server, corebank):
    sender = _newcomer(chat, rasa_server, corebank, "name-hesitation")
    chat.send(sender, "i want a card")
    assert slot(rasa_server, sender, "requested_slot") == "card_holder_name"
    for text in ("ok so what now", "hmm let me think", "привіт"):
        chat.send(sender, text)
        assert _cards(corebank, sender) == [], text  # nothing issued with that "name"
        assert slot(rasa_server, sender, "card_holder_name") is None


def test_not_now_at_the_tariff_card_offer_is_understood(chat, rasa_server, corebank):
    sender = _newcomer(chat, rasa_server, corebank, "offer-not-now")
    chat.send(sender, "i want a card")
    offer = _texts(chat, sender, "Ivan Koval")
    assert offer[-1].startswith("Want a credit limit and cashback"), offer
    for text in ("not now", "maybe later", "no thanks", "skip"):
        replies = _texts(chat, sender, text)
        assert replies and not replies[0].startswith("Sorry, I didn't"), (text, replies)
        assert slot(rasa_server, sender, "active_loop") is None
    assert [c["tariff"] for c in _cards(corebank, sender)] == ["basic"]


def _start_tariff(chat, rasa_server, corebank, prefix: str) -> str:
    sender = _newcomer(chat, rasa_server, corebank, prefix)
    chat.send(sender, '/issue_card{"tariff": "tariff"}')
    return sender


def test_stop_at_the_address_question_stops(chat, rasa_server, corebank):
    sender = _start_tariff(chat, rasa_server, corebank, "tariff-stop")
    chat.send(sender, "Oksana Petrenko")
    chat.send(sender, "12.03.1995")
    assert slot(rasa_server, sender, "requested_slot") == "home_address"
    for text in ("привіт", "hmm no, just freeze it for now, I might find it", "what is this for?"):
        chat.send(sender, text)
        assert slot(rasa_server, sender, "home_address") is None, text
    chat.send(sender, "stop")
    tracker_slots = {k: slot(rasa_server, sender, k) for k in ("home_address", "full_name")}
    assert tracker_slots == {"home_address": None, "full_name": None}
    assert slot(rasa_server, sender, "requested_slot") is None
    assert _cards(corebank, sender) == []


def test_a_corrected_name_is_the_name_in_the_application(chat, rasa_server, corebank):
    sender = _newcomer(chat, rasa_server, corebank, "tariff-fix")
    chat.send(sender, "I'd like a card, my name is Oksana Petrenko")
    assert [c["holder_name"] for c in _cards(corebank, sender)] == ["OKSANA PETRENKO"]
    chat.send(sender, '/issue_card{"tariff": "tariff"}')
    # The name given in the first message is used, not asked again.
    assert slot(rasa_server, sender, "full_name") == "Oksana Petrenko"
    assert slot(rasa_server, sender, "requested_slot") == "date_of_birth"
    chat.send(sender, "12.03.1995")
    acknowledged = _texts(chat, sender,
                          "sorry, I spelled my name wrong, it's Oksana Petrenko-Koval")
    assert any("changed the name" in t for t in acknowledged), acknowledged
    assert slot(rasa_server, sender, "full_name") == "Oksana Petrenko-Koval"
    chat.send(sender, "Khreshchatyk 22, Kyiv")
    chat.send(sender, "/affirm")
    chat.send(sender, "passport MP123456")
    chat.send(sender, "15.04.2018")
    summary = _texts(chat, sender, "8012")
    assert any("Oksana Petrenko-Koval" in t for t in summary), summary  # the summary to check
    assert slot(rasa_server, sender, "requested_slot") == "terms_consent"
    for text in ("hmm", "ok not now", "what does it cost?"):
        chat.send(sender, text)
        assert [c["tariff"] for c in _cards(corebank, sender)] == ["basic"], text  # no KYC
        assert slot(rasa_server, sender, "terms_consent") is None
