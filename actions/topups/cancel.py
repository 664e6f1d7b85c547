"""`action_cancel_topup`: "no"/"cancel" while an amount-only flow (the top-up's, or the payment
request's, which shares this rule) asks for the amount."""

from __future__ import annotations

from actions.common.flow import FlowStop


class ActionCancelTopup(FlowStop):
    default_response = "utter_topup_cancelled"

    def name(self) -> str:
        return "action_cancel_topup"
