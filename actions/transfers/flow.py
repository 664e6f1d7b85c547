"""The transfer flow's slots, and how a bank failure ends it."""

from __future__ import annotations

import logging

from rasa_sdk.executor import CollectingDispatcher

from actions.common.login_gate import apologise, logged_out_events
from actions.common.otp import OTP_SLOT
from bankclient import BankError, LoginRequired

logger = logging.getLogger(__name__)

FORM = "transfer_form"
CHALLENGE_SLOT = "step_up_challenge_id"
# The idempotency key of a send whose answer never came (timeout, bank down): until the bank
# says what happened under it, nothing else is sent, and every later send reuses it.
PENDING_KEY_SLOT = "transfer_pending_key"

# Every slot this flow fills; cleared at the start and at the end of a transfer.
TRANSFER_SLOTS = (
    "transfer_amount",
    "transfer_currency",
    "transfer_card_token",
    "transfer_card_masked",
    "transfer_recipient",
    "transfer_quote_id",
    "transfer_quote",
    "transfer_confirmed",
    CHALLENGE_SLOT,
    PENDING_KEY_SLOT,
    "transfer_status",
    "transfer_result",
    OTP_SLOT,
)


def stop(dispatcher: CollectingDispatcher, err: BankError, what: str) -> dict:
    """Session gone or bank down: one clear answer, nothing sent, the form ends."""
    logger.warning("transfer %s failed: bank error %s", what, err.code)
    if isinstance(err, LoginRequired):
        dispatcher.utter_message(response="utter_transfer_session_expired")
        return {"transfer_status": "failed",
                **{e["name"]: e["value"] for e in logged_out_events()}}  # fmt: skip
    apologise(dispatcher, err)
    return {"transfer_status": "failed"}
