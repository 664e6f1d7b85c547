"""Sending the money for a confirmed quote.

The request carries an idempotency key derived from the conversation and the quote, so a doubled
message or a retry after a timeout can never send the money twice. A send whose answer was lost
leaves its key in `transfer_pending_key`: one transfer request is one operation, so a later
confirmation (even of another amount, "Change the amount" after a timeout) first asks the bank
what happened under that key, tells the customer if that money already went, and otherwise sends
under the same key (the bank refuses a key reused for a different transfer).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.idempotency import idempotency_key
from actions.common.money import money_text
from actions.common.otp import OTP_SLOT
from actions.transfers.flow import CHALLENGE_SLOT, PENDING_KEY_SLOT, stop
from actions.transfers.step_up import start_step_up
from bankclient import (
    BankError,
    BankUnavailable,
    CardBlocked,
    IdempotencyConflict,
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


def _unknown(dispatcher: CollectingDispatcher, key: str, response: str) -> dict[str, Any]:
    """The outcome under `key` is not known: say so, send nothing, keep the key."""
    dispatcher.utter_message(response=response)
    return {"transfer_confirmed": None, OTP_SLOT: None, CHALLENGE_SLOT: None,
            PENDING_KEY_SLOT: key}  # fmt: skip


async def settle_pending(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any] | None:
    """Before anything is sent after a lost answer: the bank's word on the pending key.
    → None when nothing went under it (free to send), else the slot values that end this turn
    (that money already went: the flow completes with it; or the bank still can't say)."""
    key = tracker.get_slot(PENDING_KEY_SLOT)
    if not key:
        return None
    try:
        earlier = await bank().transfers.find_by_key(identity(tracker), key)
    except BankError:
        return _unknown(dispatcher, key, "utter_transfer_earlier_unknown")
    if earlier is None:
        return None
    logger.info("transfer %s had gone through before its answer was lost", earlier.transfer_id)
    dispatcher.utter_message(
        response="utter_transfer_earlier_already_sent",
        amount=money_text(str(earlier.amount), earlier.currency),
    )
    return _completed(earlier)


def _completed(result: Any) -> dict[str, Any]:
    return {
        "transfer_confirmed": True,
        "transfer_status": "completed",
        PENDING_KEY_SLOT: None,
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


async def execute(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    quote: dict[str, Any],
    step_up_token: str | None,
) -> dict[str, Any]:
    """→ slot values: the result, a step-up to do first, or why nothing was sent."""
    who = identity(tracker)
    settled = await settle_pending(dispatcher, tracker)
    if settled is not None:
        return settled
    key = tracker.get_slot(PENDING_KEY_SLOT) or execution_key(who, quote["quote_id"])
    try:
        result = await bank().transfers.execute(
            who,
            quote["quote_id"],
            step_up_token=step_up_token,
            idempotency_key=key,
        )
    except OtpRequired:
        return await start_step_up(dispatcher, tracker, {**quote, "requires_step_up": True})
    except BankUnavailable:
        # Outcome unknown: the key stays, so whatever is confirmed next cannot send twice.
        return _unknown(dispatcher, key, "utter_transfer_bank_unavailable_retry")
    except IdempotencyConflict:
        # The key already carries another transfer (or one still in progress): never a second.
        tracker.slots[PENDING_KEY_SLOT] = key
        settled = await settle_pending(dispatcher, tracker)
        return settled or _unknown(dispatcher, key, "utter_transfer_earlier_unknown")
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
    return _completed(result)
