"""Sending the money for a confirmed quote.

The request carries an idempotency key derived from the conversation and the quote, so a doubled
message or a retry after a timeout can never send the money twice.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.idempotency import idempotency_key
from actions.common.otp import OTP_SLOT
from actions.transfers.flow import CHALLENGE_SLOT, stop
from actions.transfers.step_up import start_step_up
from bankclient import (
    BankError,
    BankUnavailable,
    CardBlocked,
    InsufficientFunds,
    InvalidRequest,
    LimitExceeded,
    NotFound,
    OtpRequired,
    user_message,
)

logger = logging.getLogger(__name__)


def execution_key(conversation: str, quote_id: str) -> str:
    """The same conversation and quote always give the same key: the bank then answers a repeat
    with the first result instead of moving the money again."""
    return idempotency_key("transfer", conversation, quote_id)


async def execute(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    quote: dict[str, Any],
    step_up_token: str | None,
) -> dict[str, Any]:
    """→ slot values: the result, a step-up to do first, or why nothing was sent."""
    who = identity(tracker)
    try:
        result = await bank().transfers.execute(
            who,
            quote["quote_id"],
            step_up_token=step_up_token,
            idempotency_key=execution_key(who, quote["quote_id"]),
        )
    except OtpRequired:
        return await start_step_up(dispatcher, tracker, {**quote, "requires_step_up": True})
    except BankUnavailable:
        # Outcome unknown. The retry reuses the same key, so it cannot send twice.
        dispatcher.utter_message(response="utter_transfer_bank_unavailable_retry")
        return {"transfer_confirmed": None, OTP_SLOT: None, CHALLENGE_SLOT: None}
    except InvalidRequest as err:
        if err.details.get("reason") == "quote_expired":
            dispatcher.utter_message(response="utter_transfer_quote_expired")
            # The form asks the bank for a new quote right after this validation.
            return {"transfer_confirmed": None, "transfer_quote": None,
                    "transfer_quote_id": None, OTP_SLOT: None}  # fmt: skip
        dispatcher.utter_message(response="utter_transfer_failed", reason=user_message(err))
        return {"transfer_status": "failed"}
    except (InsufficientFunds, LimitExceeded, CardBlocked, NotFound) as err:
        dispatcher.utter_message(response="utter_transfer_failed", reason=user_message(err))
        return {"transfer_status": "failed"}
    except BankError as err:
        return stop(dispatcher, err, "transfer")
    logger.info("transfer %s completed", result.transfer_id)
    return {
        "transfer_confirmed": True,
        "transfer_status": "completed",
        "transfer_result": {
            "transfer_id": result.transfer_id,
            "amount": str(result.amount),
            "fee": str(result.fee),
            "total": str(result.total or ""),
            "currency": result.currency,
            "route": result.route,
            "recipient_masked": result.recipient_masked,
            "balance_after": str(result.balance_after),
            "receipt_no": result.receipt_no,
            "at": result.at,
        },
    }
