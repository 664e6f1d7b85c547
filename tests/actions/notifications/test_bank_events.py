"""`action_notify_bank_event`: what the customer reads for each bank event (no bank needed)."""

from __future__ import annotations

import pytest

from actions.notifications.bank_events import ActionNotifyBankEvent
from tests.actions.helpers import make_tracker, responses, run


@pytest.mark.parametrize(
    ("intent", "entities", "response", "check"),
    [
        ("EXTERNAL_topup_succeeded",
         {"amount": "100.00", "currency": "UAH", "balance": "1600.00", "masked_card": "•••• 0023"},
         "utter_topup_succeeded", {"amount": "100.00 UAH", "balance": "1,600.00 UAH"}),
        ("EXTERNAL_topup_failed", {"amount": "100.00", "reason": "expired"},
         "utter_topup_failed", {"reason": "the payment page wasn't completed in time"}),
        ("EXTERNAL_payment_request_paid", {"amount": "50.00", "note": "pizza"},
         "utter_payment_request_paid", {"note_text": " (pizza)"}),
    ],
)
async def test_the_proactive_messages(intent, entities, response, check):
    tracker = make_tracker("x", "", intent)
    tracker.latest_message["entities"] = [{"entity": k, "value": v} for k, v in entities.items()]
    _, messages = await run(ActionNotifyBankEvent(), tracker)
    assert responses(messages) == [response]
    for key, value in check.items():
        assert messages[0][key] == value


async def test_each_message_names_the_bank_event_it_reports():
    """The outbox keys the messages by it: the event triggered twice is sent once."""
    tracker = make_tracker("x", "", "EXTERNAL_topup_succeeded")
    tracker.latest_message["entities"] = [
        {"entity": "amount", "value": "100.00"}, {"entity": "delivery_key", "value": "evt_42"},
    ]
    _, messages = await run(ActionNotifyBankEvent(), tracker)
    assert [m.get("delivery_key") for m in messages] == ["evt_42"]
