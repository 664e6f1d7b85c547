"""The one idempotency-key scheme for money moves (transfers, top-ups, card issue, payment
requests, bill payments).

Every money-moving method of the bank client requires a key and sends it to the bank
(`Idempotency-Key` header on REST, `IdempotencyKey` element on SOAP). The bank answers a repeated
key with the first result and refuses the same key with different details
(`IdempotencyConflict`). A key must therefore be the same for the same customer intent — a doubled
message, a retried action, a restarted action server — and different for a new one:

    idempotency_key("transfer", sender_id, quote_id)   # derived: stable across retries
    new_idempotency_key()                               # random: good for one call only
"""

from __future__ import annotations

import uuid

MAX_OPERATION_LENGTH = 40  # the bank accepts keys up to 200 printable characters


def idempotency_key(operation: str, *parts: object) -> str:
    """A stable key for one customer intent: `operation` names the money move ("transfer",
    "topup", "card", …), `parts` what makes this intent unique (conversation id, quote id, the
    message that started it, …). Parts are hashed (UUIDv5), so nothing readable — identity,
    amounts — travels in the header."""
    if not operation or len(operation) > MAX_OPERATION_LENGTH or not operation.isprintable():
        raise ValueError("an idempotency key needs a short printable operation name")
    material = ":".join(["assistant", operation, *(str(p) for p in parts)])
    return f"{operation}-" + uuid.uuid5(uuid.NAMESPACE_URL, material).hex


def new_idempotency_key() -> str:
    """A fresh random key, for a money move that is not tied to a repeatable customer intent."""
    return str(uuid.uuid4())
