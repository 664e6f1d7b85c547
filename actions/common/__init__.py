"""What the capabilities of the action server share, written once.

- `bank`: `bank()`, the one accessor to the bank client (`bankclient`: typed results, typed
  errors).
- `conversation`: identity of the chat, the latest intent, typed text, the message that started
  a request.
- `login_gate`: sensitive intents, `SensitiveAction`, the login/relogin/logout slot events.
- `otp`: the one-time-code step of a form (login and step-up): read, verify, resend.
- `parsing`: amounts, currencies and card references in what customers type.
- `money`: amount parsing and validation, and the one money format ("1,500.00 UAH").
- `idempotency`: keys for money moves (`bankclient`'s scheme) anchored on the request message.
- `flow`: the flow engine every multi-step conversation is declared on (reset, next question,
  the confirmation rule, corrections, free-text answers, the one amount reader, stop).
- `amount_form`: the amount-only flow (top-up, payment request).
- `sealing`: form values kept encrypted in slots until the bank gets them.
- `db`, `media`, `drawing`: the assistant's own store, published pictures, fonts.

Capabilities (`actions/<capability>/`) import from here and from nothing of each other.
"""
