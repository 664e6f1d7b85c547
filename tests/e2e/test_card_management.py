"""Card management through the real channel (REST → Rasa → action server → sandbox's legacy SOAP
API): "I lost my card" → blocked → a new card, with the exact replies and the bank's own view of
the cards; and two chats of the same customer doing it at the same moment: the bank blocks the
card once and issues one new card. Questions about a card's state are answered and change
nothing; "freeze it for a couple days, i left it at a friend's" is a freeze (issue 28)."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.helpers import flat, log_in, slot, tracker

pytestmark = pytest.mark.e2e


def _phone() -> str:
    return "+38099" + "".join(secrets.choice("0123456789") for _ in range(7))


def _cards(corebank, sender: str) -> list[dict]:
    with corebank.client("cards", f"rest:{sender}") as client:
        answer = client.get("/api/v1/me/cards")
    answer.raise_for_status()
    return answer.json()


def _card_holder(chat, rasa_server, corebank, phone: str, prefix: str) -> tuple[str, dict]:
    sender = chat.new_sender(prefix)
    log_in(chat, rasa_server, corebank, sender, phone)
    if not _cards(corebank, sender):
        with corebank.client("cards", f"rest:{sender}") as client:
            made = client.post("/api/v1/me/cards", json={"tier": "basic",
                                                         "holder_name": "Lost Card"},
                               headers={"Idempotency-Key": secrets.token_hex(8)})
        made.raise_for_status()
    return sender, _cards(corebank, sender)[0]


def _texts(chat, sender: str, text: str) -> list[str]:
    return [flat(t) for t in chat.texts(sender, text)]


def test_lost_card_blocked_and_reissued(chat, rasa_server, corebank):
    sender, card = _card_holder(chat, rasa_server, corebank, _phone(), "lost")
    masked = card["masked"]
    assert _texts(chat, sender, "I lost my card") == [
        f"Block {masked} for good because it was lost? This can't be undone; right after, I'll "
        "offer you a new card on the same account."]
    assert _cards(corebank, sender)[0]["status"] == "active"  # nothing before the "yes"
    assert _texts(chat, sender, "yes") == [
        f"{masked} is blocked for good (lost). Nobody can pay with it any more and it can't be "
        "unblocked.",
        f"Shall I issue a new digital card to replace {masked}? It works in a minute for online "
        "and phone payments, with the same account and balance."]
    assert [c["status"] for c in _cards(corebank, sender)] == ["blocked"]
    replies = _texts(chat, sender, "yes")
    cards = _cards(corebank, sender)
    assert [c["status"] for c in cards] == ["blocked", "active"]
    assert replies == [
        f"Your new digital card {cards[1]['masked']} is ready to use now, with the same balance. "
        "If you also want the plastic one, tap below and tell me where to deliver it."]
    assert cards[0]["replaced_by"] == cards[1]["card_id"]


def test_changes_mind_nothing_blocked(chat, rasa_server, corebank):
    sender, card = _card_holder(chat, rasa_server, corebank, _phone(), "mind")
    _texts(chat, sender, "my card got stolen")
    assert _texts(chat, sender, "no") == ["Okay, I haven't changed anything on your cards."]
    assert [c["status"] for c in _cards(corebank, sender)] == ["active"]


# Questions about the card's state, in the wordings of issue 28 and others nobody trained on.
STATUS_QUESTIONS = [
    "where is my card",
    "is my card blocked?",
    "show my cards",
    "is my card frozen",
    "is my card still working?",
    "can you tell me if my card is frozen",
    "what state is my card in",
    "show me my cards",
    "has my card been locked?",
    "whats up with my card",
    "where's my card now?",
]


def _actions_since_last_message(rasa_server, sender: str) -> list[str]:
    events = tracker(rasa_server, sender)["events"]
    last = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e["name"] for e in events[last:] if e["event"] == "action"]


def test_card_status_questions_answer_the_status_and_change_nothing(chat, rasa_server, corebank):
    sender, card = _card_holder(chat, rasa_server, corebank, _phone(), "status")
    wrong = []
    for question in STATUS_QUESTIONS:
        replies = " ".join(_texts(chat, sender, question))
        actions = _actions_since_last_message(rasa_server, sender)
        if ("action_card_status" not in actions or "card_manage_form" in actions
                or card["masked"] not in replies or "active" not in replies.lower()):
            wrong.append((question, actions, replies))
        assert [c["status"] for c in _cards(corebank, sender)] == ["active"], question
    assert not wrong, wrong


# A guess about a plastic card's delivery ("lost" in it, but no request): issue 28 saw it turned
# into "Block •••• 2682 for good because it was lost?". The model may answer the status or ask
# the customer to rephrase; it must never start a block or freeze, and nothing changes.
HEDGED_LOSS_GUESSES = ["maybe the courier lost it?"]


@pytest.mark.parametrize("guess", HEDGED_LOSS_GUESSES)
def test_a_guess_about_a_lost_delivery_never_starts_a_block(chat, rasa_server, corebank, guess):
    sender, _ = _card_holder(chat, rasa_server, corebank, _phone(), "guess")
    _texts(chat, sender, guess)
    assert "card_manage_form" not in _actions_since_last_message(rasa_server, sender)
    assert [c["status"] for c in _cards(corebank, sender)] == ["active"]


# "Freeze it for a while" with where the card was left: a freeze offered, never a block for good.
FREEZE_FOR_A_WHILE = [
    "can u freeze it again for a couple days, i left it at a friends place",
    "freeze my card for a few days pls, i think i left it at work",
    "put the card on hold for now, left it at my parents house",
]


def test_freeze_for_a_while_where_the_card_was_left_is_a_freeze(chat, rasa_server, corebank):
    sender, card = _card_holder(chat, rasa_server, corebank, _phone(), "freeze")
    for text in FREEZE_FOR_A_WHILE:
        replies = _texts(chat, sender, text)
        assert slot(rasa_server, sender, "card_lock_reason") == "temporary", (text, replies)
        assert slot(rasa_server, sender, "requested_slot") == "lock_confirmed", (text, replies)
        assert [c["status"] for c in _cards(corebank, sender)] == ["active"]
        if text != FREEZE_FOR_A_WHILE[-1]:
            _texts(chat, sender, "no")  # changed my mind: nothing happens
    _texts(chat, sender, "yes")
    assert [c["status"] for c in _cards(corebank, sender)] == ["frozen"]
    replies = " ".join(_texts(chat, sender, "is my card frozen"))
    assert card["masked"] in replies and "frozen" in replies.lower()
    assert [c["status"] for c in _cards(corebank, sender)] == ["frozen"]


def test_two_chats_of_one_customer_at_once_change_the_bank_once(chat, rasa_server, corebank):
    phone = _phone()
    first, card = _card_holder(chat, rasa_server, corebank, phone, "twin-a")
    second, same = _card_holder(chat, rasa_server, corebank, phone, "twin-b")
    assert same["card_id"] == card["card_id"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for text in ("I lost my card", "yes", "yes"):
            answers = list(pool.map(lambda s, t=text: _texts(chat, s, t), (first, second)))
            assert all(answers), answers
    cards = _cards(corebank, first)
    assert sorted(c["status"] for c in cards) == ["active", "blocked"], cards
    assert len(cards) == 2  # one new card, not two


def test_bank_down_at_the_block_changes_nothing(chat, rasa_server, corebank):
    sender, card = _card_holder(chat, rasa_server, corebank, _phone(), "down")
    _texts(chat, sender, "block my card, it was stolen")
    corebank.set_faults(error_rate=1.0, paths=["/soap/legacy"])
    try:
        assert _texts(chat, sender, "yes") == [
            "Sorry, the bank isn't responding right now, so I couldn't do that. Nothing was "
            "changed. Please try again in a few minutes."]
    finally:
        corebank.clear_faults()
    assert [c["status"] for c in _cards(corebank, sender)] == ["active"]
    # Asked again once the bank is back: done.
    _texts(chat, sender, "my card was stolen")
    assert _texts(chat, sender, "yes")[0].startswith(f"{card['masked']} is blocked for good")


def _end_bank_session(corebank, sender: str) -> None:
    """The bank ends the chat's session (expired or revoked) behind the assistant's back."""
    with corebank.client("customers", f"rest:{sender}") as client:
        answer = client.delete("/api/v1/me/session")
    answer.raise_for_status()
    assert answer.json()["logged_out"] is True


def test_session_gone_between_the_request_and_the_yes(chat, rasa_server, corebank):
    """The session ends after "I lost my card" and before the "yes": nothing is blocked on the
    dead session, the customer logs in again, the request resumes, and the card is blocked once
    and replaced once."""
    phone = _phone()
    sender, card = _card_holder(chat, rasa_server, corebank, phone, "expired")
    masked = card["masked"]
    confirm = (f"Block {masked} for good because it was lost? This can't be undone; right "
               "after, I'll offer you a new card on the same account.")
    assert _texts(chat, sender, "I lost my card") == [confirm]
    _end_bank_session(corebank, sender)
    replies = _texts(chat, sender, "yes")
    assert replies[0] == "Your session has expired, please log in again."
    assert replies[-1].startswith("What's your phone number?"), replies
    assert slot(rasa_server, sender, "logged_in") is False

    chat.send(sender, phone)
    assert slot(rasa_server, sender, "requested_slot") == "otp_code"
    replies = [flat(t) for t in chat.texts(sender, corebank.sms_code(phone))]
    # Logged in again, the request resumes where it stopped: the same confirmation, asked again
    # (nothing changes without a "yes" given on a live session).
    assert replies[-1] == confirm, replies
    # Nothing was done on the dead session (the bank lists the cards only to a live one).
    assert [c["status"] for c in _cards(corebank, sender)] == ["active"]
    assert _texts(chat, sender, "yes") == [
        f"{masked} is blocked for good (lost). Nobody can pay with it any more and it can't be "
        "unblocked.",
        f"Shall I issue a new digital card to replace {masked}? It works in a minute for online "
        "and phone payments, with the same account and balance."]
    _texts(chat, sender, "yes")
    cards = _cards(corebank, sender)
    assert [c["status"] for c in cards] == ["blocked", "active"]  # blocked once, one new card
    assert cards[0]["replaced_by"] == cards[1]["card_id"]


def test_slow_bank_at_the_block_is_checked_not_called_unchanged(chat, rasa_server, corebank):
    """The bank blocks the card but answers after the assistant's deadline (the sandbox's
    answer_latency_ms): the assistant looks the card up and says it is done (with the reissue
    offer), never "Nothing was changed"."""
    sender, card = _card_holder(chat, rasa_server, corebank, _phone(), "slow")
    masked = card["masked"]
    _texts(chat, sender, "block my card, it was stolen")
    corebank.set_faults(answer_latency_ms=6000, paths=["/soap/legacy"])

    def lift_once_blocked() -> None:
        # The test watches the bank's own REST view (not slowed): once the block is committed,
        # the switch is lifted, so the assistant's lookups that follow get through.
        for _ in range(200):
            if _cards(corebank, sender)[0]["status"] == "blocked":
                break
            time.sleep(0.05)
        corebank.clear_faults()

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            lifted = pool.submit(lift_once_blocked)
            replies = _texts(chat, sender, "yes")
            lifted.result()
    finally:
        corebank.clear_faults()
    assert replies == [
        "The bank was slow to answer, so I checked the card itself: the change went through.",
        f"{masked} is blocked for good (stolen). Nobody can pay with it any more and it can't be "
        "unblocked.",
        f"Shall I issue a new digital card to replace {masked}? It works in a minute for online "
        "and phone payments, with the same account and balance."]
    assert [c["status"] for c in _cards(corebank, sender)] == ["blocked"]
