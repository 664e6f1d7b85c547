"""Money transfers by card number (`transfer_money`): one form does the whole conversation.

    transfer_form: transfer_amount → transfer_card_token → transfer_confirmed [→ otp_code]

- Amount and card come from free text ("send 50 to <card>", "twenty dollars", "1 500 uah") or
  step by step (`actions.common.parsing`); the card is a vault reference by then.
- As soon as amount and card are known the bank quotes the transfer (route, fee, total,
  recipient's masked name for our own cards); quote errors (own card, blocked card, not enough
  money, limits) say why and ask again for the part that must change.
- Confirmation with buttons (`action_ask_transfer_form_transfer_confirmed`); "change the amount"
  or a new amount re-quotes; "no" cancels (`action_cancel_transfer`).
- Above the bank's step-up threshold the form asks `otp_code` (`actions.common.otp`); the
  step-up token is used at once and never stored.
- Execution carries an idempotency key derived from the conversation and the quote, so a doubled
  message or a retry after a timeout can never send the money twice.
- `action_transfer_completed` (the form's end) sends the summary, the receipt image and the new
  balance, then clears the transfer slots.
"""
