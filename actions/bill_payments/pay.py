"""Paying a confirmed bill, exactly once.

The request carries the flow's idempotency key (`flow.payment_key`). When the bank's answer is
lost (timeout, the legacy system hangs), the payment is looked up by that key before the
customer is told anything: found → it is done; not found → nothing was paid and the customer may
tap "Pay" again (same key, so it still cannot pay twice).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bill_payments.flow import CHALLENGE_SLOT, stop
from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.money import format_money
from actions.common.otp import OTP_SLOT, start_step_up
from bankclient import (
    BankError,
    BankUnavailable,
    BillPayment,
    CardBlocked,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    LimitExceeded,
    NotFound,
    OtpLocked,
    OtpRequired,
    user_message,
)
from bankclient.money import from_api

logger = logging.getLogger(__name__)
STEP_UP_PURPOSE = "bill"


def result_slot(paid: BillPayment, quote: dict[str, Any]) -> dict[str, Any]:
    return {
        "payment_id": paid.payment_id,
        "provider_id": paid.provider_id or quote.get("provider_id"),
        "provider_name": paid.provider_name or quote.get("provider_name"),
        "account": paid.account or quote.get("account"),
        "amount": str(paid.amount),
        "fee": str(paid.fee if paid.fee is not None else quote.get("fee") or "0.00"),
        "total": str(paid.total if paid.total is not None else quote.get("total") or ""),
        "currency": paid.currency,
        "balance_after": str(paid.balance_after) if paid.balance_after is not None else None,
        "receipt_no": paid.receipt_no,
        "at": paid.at,
    }


def completed(paid: BillPayment, quote: dict[str, Any]) -> dict[str, Any]:
    logger.info("bill payment %s completed", paid.payment_id)
    return {"bill_status": "completed", "bill_confirmed": True,
            "bill_result": result_slot(paid, quote)}  # fmt: skip


async def ask_step_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, quote: dict[str, Any]
) -> dict[str, Any]:
    """A code bound to this payment (the challenge's reference is the payment's key)."""
    try:
        challenge = await start_step_up(
            tracker, STEP_UP_PURPOSE, quote["key"], amount=str(quote["total"]),
            target=f"{quote['provider_id']}:{quote['account']}")
    except OtpLocked as err:
        dispatcher.utter_message(text=user_message(err))
        return {"bill_status": "failed", OTP_SLOT: None}
    except BankError as err:
        return stop(dispatcher, err, "step-up")
    dispatcher.utter_message(
        response="utter_bill_step_up_needed",
        total=format_money(from_api(quote["total"])),
        phone_masked=challenge.masked_phone or "your phone",
    )
    return {"bill_confirmed": True, "bill_quote": {**quote, "requires_step_up": True},
            CHALLENGE_SLOT: challenge.challenge_id, OTP_SLOT: None}  # fmt: skip


async def pay(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    quote: dict[str, Any],
    step_up_token: str | None,
) -> dict[str, Any]:
    """→ slot values: the result, a step-up to do first, or why nothing was paid."""
    who = identity(tracker)
    key = quote["key"]
    return {"bill_key": key, **await _pay(dispatcher, tracker, quote, step_up_token, who, key)}


async def _pay(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    quote: dict[str, Any],
    step_up_token: str | None,
    who: str,
    key: str,
) -> dict[str, Any]:
    try:
        paid = await bank().bills.pay(
            who,
            quote["provider_id"],
            quote["account"],
            from_api(quote["amount"]),
            meter=quote.get("meter"),
            step_up_token=step_up_token,
            idempotency_key=key,
        )
    except OtpRequired:
        return await ask_step_up(dispatcher, tracker, quote)
    except BankUnavailable:
        return await _answer_lost(dispatcher, who, key, quote)
    except (InsufficientFunds, LimitExceeded, CardBlocked, InvalidAmount) as err:
        dispatcher.utter_message(response="utter_bill_failed", reason=user_message(err))
        return {"bill_status": "failed"}
    except (NotFound, InvalidRequest) as err:
        dispatcher.utter_message(response="utter_bill_failed", reason=user_message(err))
        return {"bill_status": "failed"}
    except BankError as err:
        return stop(dispatcher, err, "payment")
    return completed(paid, quote)


async def _answer_lost(
    dispatcher: CollectingDispatcher, who: str, key: str, quote: dict[str, Any]
) -> dict[str, Any]:
    """The bank did not answer: did the payment go through? Ask by its key first."""
    try:
        paid = await bank().bills.payment_by_key(who, key)
    except NotFound:
        dispatcher.utter_message(response="utter_bill_bank_unavailable_retry")
        return {"bill_confirmed": None, OTP_SLOT: None, CHALLENGE_SLOT: None}
    except BankError:
        dispatcher.utter_message(response="utter_bill_outcome_unknown")
        return {"bill_status": "unknown"}
    return completed(paid, quote)
