"""Pure parts of the conversation actions: phone parsing, formatting, fallback counting, the
assistant DB. No bank needed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions import assistant_db
from actions.accounts import balance_text, bank_details_text, transactions_text
from actions.auth import PLAIN_CODE_RE, RESEND_RE, parse_phone
from actions.basics import ActionDefaultFallback, ActionHumanHandoff, previous_turn_actions
from actions.session import identity, sensitive_intents
from tests.actions.helpers import domain, make_tracker, responses, run


@pytest.mark.parametrize(
    "text",
    [
        "+380 50 111 22 33",
        "0501112233",
        "050 111 22 33",
        "my number is 050-111-22-33",
        "+38 (050) 111-22-33",
        "380501112233",
    ],
)
def test_parse_phone_accepts_how_people_type_it(text):
    assert parse_phone(text) == "+380501112233"


@pytest.mark.parametrize("text", ["12345", "hello", "", "my code is 123456", "+380 50"])
def test_parse_phone_rejects_non_numbers(text):
    assert parse_phone(text) is None


def test_plain_code_and_resend_patterns():
    assert PLAIN_CODE_RE.search("code 123 456").group(1) == "123 456"
    assert PLAIN_CODE_RE.search("+380501112233") is None
    assert RESEND_RE.search("I didn't get the code")
    assert RESEND_RE.search("pls resend")
    assert not RESEND_RE.search("otok_Ab12Cd34Ef56Gh78")


def test_sensitive_intents_come_from_the_domain():
    intents = sensitive_intents(domain())
    assert {"check_balance", "transaction_history", "bank_details", "transfer_money"} <= set(
        intents
    )
    assert "greet" not in intents


def test_identity_uses_the_input_channel():
    assert identity(make_tracker("u1", channel="telegram")) == "telegram:u1"


def test_balance_text_formats_every_account():
    text = balance_text(
        [
            {"currency": "UAH", "balance": Decimal("1500.5"), "available": Decimal("11500.50"),
             "credit_limit": Decimal("10000")},
            {"currency": "USD", "balance": Decimal("20"), "available": Decimal("20"),
             "credit_limit": Decimal("0")},
        ]
    )  # fmt: skip
    assert "11,500.50 UAH available" in text
    assert "credit limit 10,000.00 UAH" in text
    assert "USD account: 20.00 USD available" in text


def test_transactions_text_is_a_clean_table():
    text = transactions_text(
        [
            {"at": "2026-11-20T10:00:00Z", "description": "Coffee  Point   Kyiv",
             "amount": "-85.00",
             "currency": "UAH", "balance_after": "915.00"},
            {"at": "2026-11-19T09:00:00Z", "description": "Top-up from another bank card",
             "amount": "1000.00", "currency": "UAH", "balance_after": "1000.00"},
        ]
    )  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == "Your last 2 transactions:"
    assert "20 Nov  Coffee Point Kyiv" in lines[1] and lines[1].endswith("-85.00 UAH")
    assert lines[2].endswith("+1,000.00 UAH")
    assert len(lines[1]) == len(lines[2])  # aligned columns
    assert lines[-1] == "Balance now: 915.00 UAH"


def test_transactions_in_several_currencies_have_no_single_balance():
    text = transactions_text(
        [
            {"at": "2026-11-20T10:00:00Z", "description": "Opening balance", "amount": "300.00",
             "currency": "USD", "balance_after": "300.00"},
            {"at": "2026-11-19T09:00:00Z", "description": "Opening balance",
             "amount": "25000.00", "currency": "UAH", "balance_after": "25000.00"},
        ]
    )  # fmt: skip
    assert "Balance now" not in text
    assert "+25,000.00 UAH" in text and "+300.00 USD" in text


def test_bank_details_text_groups_the_iban():
    text = bank_details_text(
        {"holder": "Anna Ivanova", "iban": "UA213223130000026007233566001", "bic": "BANKUAUK",
         "bank_name": "Messenger Bank", "currency": "UAH"}
    )  # fmt: skip
    assert "IBAN: UA21 3223 1300 0002 6007 2335 6600 1" in text
    assert "Recipient: Anna Ivanova" in text


def _turn(actions: list[str]) -> list[dict]:
    return [{"event": "user", "text": "x"}] + [{"event": "action", "name": a} for a in actions]


def test_previous_turn_actions():
    events = _turn(["action_default_fallback", "action_listen"]) + [{"event": "user"}]
    assert previous_turn_actions(events) == ["action_default_fallback", "action_listen"]
    assert previous_turn_actions([{"event": "user"}]) == []


async def test_fallback_twice_in_a_row_offers_a_person():
    first = make_tracker("f1", "blorp", "nlu_fallback")
    _, messages = await run(ActionDefaultFallback(), first)
    assert responses(messages) == ["utter_default"]

    second = make_tracker(
        "f1", "flibber", "nlu_fallback", history=_turn(["action_default_fallback"])
    )
    _, messages = await run(ActionDefaultFallback(), second)
    assert responses(messages) == ["utter_fallback_offer_human"]


async def test_handoff_is_recorded_without_message_text(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    tracker = make_tracker("h1", "my card 4111 1111 1111 1111 is stuck, get me a human",
                           "human_handoff", channel="telegram")  # fmt: skip
    events, messages = await run(ActionHumanHandoff(), tracker)
    assert events == []
    assert messages[0]["response"] == "utter_handoff_requested"
    reference = messages[0]["reference"]
    assert reference.startswith("H-")

    with assistant_db.session_scope(url) as session:
        rows = session.query(assistant_db.HandoffRequest).all()
    assert [(r.sender, r.reason, r.status, r.reference) for r in rows] == [
        ("telegram:h1", "customer_request", "open", reference)
    ]
    with open(tmp_path / "assistant.db", "rb") as db_file:
        assert b"4111" not in db_file.read()


async def test_handoff_after_fallbacks_says_why(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    tracker = make_tracker(
        "h2", "/human_handoff", "human_handoff", history=_turn(["action_default_fallback"])
    )
    await run(ActionHumanHandoff(), tracker)
    with assistant_db.session_scope(url) as session:
        (row,) = session.query(assistant_db.HandoffRequest).all()
    assert row.reason == "repeated_misunderstanding"
