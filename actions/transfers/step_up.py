"""Step-up for a transfer above the bank's threshold: the bank sends a one-time code for this
quote (the form then asks and verifies it with `actions.common.otp`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.money import DEFAULT_CURRENCY, format_money
from actions.common.otp import OTP_SLOT
from actions.common.otp import start_step_up as start_step_up_code
from actions.common.otp import step_up_threshold as shared_threshold
from actions.transfers.flow import CHALLENGE_SLOT, stop
from bankclient import BankError, OtpLocked, user_message

STEP_UP_PURPOSE = "transfer"
# Why the bank asks for a code (the quote's `step_up_reason`) -> what the customer is told.
STEP_UP_RESPONSES = {
    "amount": "utter_transfer_step_up_needed",
    "daily_total": "utter_transfer_step_up_daily_total",
    "new_recipient": "utter_transfer_step_up_new_recipient",
}


def step_up_threshold() -> Decimal:
    """Shown to the customer only; the bank decides (quote's `requires_step_up`)."""
    return shared_threshold()


async def start_step_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, quote: dict[str, Any]
) -> dict[str, Any]:
    """Ask the bank for a code for this quote (again, on request or expiry) → slot values."""
    if not quote.get("quote_id"):
        return {"transfer_confirmed": None}
    try:
        challenge = await start_step_up_code(tracker, STEP_UP_PURPOSE, quote["quote_id"])
    except OtpLocked as err:
        dispatcher.utter_message(text=user_message(err))
        return {"transfer_status": "failed", OTP_SLOT: None}
    except BankError as err:
        return stop(dispatcher, err, "step-up")
    dispatcher.utter_message(
        response=STEP_UP_RESPONSES.get(quote.get("step_up_reason") or "amount",
                                       "utter_transfer_step_up_needed"),
        threshold=format_money(step_up_threshold(), quote.get("currency") or DEFAULT_CURRENCY),
        phone_masked=challenge.masked_phone or "your phone",
    )
    return {
        "transfer_confirmed": True,
        "transfer_quote": {**quote, "requires_step_up": True},
        CHALLENGE_SLOT: challenge.challenge_id,
        "phone_masked": challenge.masked_phone,
        OTP_SLOT: None,
    }
