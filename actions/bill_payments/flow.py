"""The bill payment flow's slots, its idempotency key, and how a bank failure ends it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.conversation import identity
from actions.common.idempotency import idempotency_key, request_anchor
from actions.common.login_gate import apologise, logged_out_events
from actions.common.otp import OTP_SLOT
from bankclient import BankError, LoginRequired

logger = logging.getLogger(__name__)

FORM = "bill_form"
INTENT = "pay_bill"
CHALLENGE_SLOT = "bill_challenge_id"

# Every slot this flow fills; cleared at the start and at the end of a payment.
BILL_SLOTS = (
    "bill_category",
    "bill_provider",
    "bill_account",
    "bill_account_raw",
    "bill_meter",
    "bill_amount",
    "bill_debt",
    "bill_quote",
    "bill_confirmed",
    "bill_key",
    CHALLENGE_SLOT,
    "bill_status",
    "bill_result",
    OTP_SLOT,
)


def payment_key(tracker: Tracker, provider_id: str, account: str, amount: str) -> str:
    """The same request message, provider, account and amount always give the same key: a
    doubled message, a retry or a relogin can never pay twice. A new request (or another
    amount) is a new payment."""
    return idempotency_key("bill", identity(tracker), request_anchor(tracker, INTENT),
                           provider_id, account, amount)


def stop(dispatcher: CollectingDispatcher, err: BankError, what: str) -> dict[str, Any]:
    """Session gone or bank down: one clear answer, nothing paid, the form ends."""
    logger.warning("bill payment %s failed: bank error %s", what, err.code)
    if isinstance(err, LoginRequired):
        dispatcher.utter_message(response="utter_bill_session_expired")
        return {"bill_status": "failed",
                **{e["name"]: e["value"] for e in logged_out_events()}}  # fmt: skip
    apologise(dispatcher, err)
    return {"bill_status": "failed"}
