"""The login gate's pure parts: sensitive intents, the request being served, the chat's identity
(no bank needed)."""

from __future__ import annotations

from actions.common.conversation import identity
from actions.common.login_gate import sensitive_intents, served_request
from tests.actions.helpers import domain, make_tracker


def test_sensitive_intents_come_from_the_domain():
    intents = sensitive_intents(domain())
    assert {"check_balance", "transaction_history", "bank_details", "transfer_money"} <= set(
        intents
    )
    assert "greet" not in intents


def test_identity_uses_the_input_channel():
    assert identity(make_tracker("u1", channel="telegram")) == "telegram:u1"


def test_the_request_served_is_the_latest_sensitive_intent_else_the_remembered_one():
    asked = make_tracker("g1", "balance", "check_balance", slots={"pending_intent": "bank_details"})
    assert served_request(asked, domain()) == "check_balance"
    resumed = make_tracker(
        "g1", "123456", "inform", slots={"pending_intent": "transfer_money"},
        active_loop="login_form",
    )
    assert served_request(resumed, domain()) == "transfer_money"
    # An explicit login while logged in serves nothing, whatever was served before.
    relogin = make_tracker("g1", "log me in", "login", slots={"pending_intent": "check_balance"})
    assert served_request(relogin, domain()) is None
    assert served_request(make_tracker("g1", "hi", "greet"), domain()) is None
