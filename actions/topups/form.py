"""`topup_form`: how much to top up (with the request, or asked)."""

from __future__ import annotations

from actions.common.amount_form import AmountFlow

BOUNDARIES = frozenset({"action_create_topup", "action_create_payment_request",
                        "action_cancel_topup", "action_restart"})


class ValidateTopupForm(AmountFlow):
    form = "topup_form"
    intent = "top_up_card"
    amount_slot = "topup_amount"
    currency_slot = "topup_currency"
    slots = ("topup_amount", "topup_currency")
    invalid_amount_response = "utter_topup_amount_invalid"
    stopped_response = "utter_topup_cancelled"
    stop_action = "action_cancel_topup"
    boundaries = BOUNDARIES
