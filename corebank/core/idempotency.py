"""Idempotency keys of money moves and other repeatable requests.

A client sends an `Idempotency-Key`; the first request with it claims (scope, key) and stores
its response in the same transaction; a repeat with the same body gets that response back, a
repeat with another body gets 409 `idempotency_conflict`. Scopes keep operations (and
customers) apart: e.g. `transfers:<customer_id>`, `soap.paybill`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import DateTime, bindparam, select, text
from sqlalchemy.orm import Session

from corebank.core.db import utcnow
from corebank.core.errors import BankError
from corebank.core.models import IdempotencyKey

_idem = IdempotencyKey.__table__

# ON CONFLICT DO NOTHING makes a concurrent second claim wait for the first transaction and
# then report "not inserted" instead of failing the whole transaction.
_CLAIM_KEY = text(
    "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) "
    "VALUES (:scope, :key, :request_hash, :created_at) ON CONFLICT (scope, key) DO NOTHING"
).bindparams(bindparam("created_at", type_=DateTime()))
_REMEMBER = text(
    "UPDATE idempotency_keys SET response_json = :response_json, status_code = :status_code "
    "WHERE scope = :scope AND key = :key")


@dataclass
class StoredResponse:
    status_code: int
    body: object


def request_hash(payload: object) -> str:
    """Stable hash of a request body (canonical JSON) for idempotency comparisons."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_idempotency_key(key: str | None) -> str:
    if not key or not key.strip():
        raise BankError("invalid_request", "This operation needs an Idempotency-Key header.",
                        400, field="Idempotency-Key")
    key = key.strip()
    if len(key) > 200 or not key.isprintable():
        raise BankError("invalid_request", "The Idempotency-Key is too long or not printable.",
                        400, field="Idempotency-Key")
    return key


def _replay(row, request_hash_: str) -> StoredResponse:
    if row.request_hash != request_hash_:
        raise BankError("idempotency_conflict",
                        "This Idempotency-Key was already used with a different request.")
    if row.response_json is None:  # claimed by a transaction that has not finished
        raise BankError("idempotency_conflict", "A request with this key is still in progress.")
    return StoredResponse(row.status_code or 200, json.loads(row.response_json))


def idempotent(session: Session, key: str, request_hash: str,
               scope: str) -> StoredResponse | None:
    """Claim (scope, key) for the current transaction.

    Returns None when the key is new: the caller does the work, then calls
    `remember_response(session, key, scope, body, status_code)` and commits (the claim and the
    response commit together, so a rolled-back attempt leaves no trace and may be retried).
    Returns the StoredResponse of the first request when the key was used with the same
    request_hash; raises 409 `idempotency_conflict` for a different request_hash.
    On PostgreSQL a concurrent claim of the same key waits for the first transaction to finish
    (unique index), then replays its response.
    Failed operations (4xx) are not remembered: their transaction rolls back.
    """
    key = validate_idempotency_key(key)
    claimed = session.execute(_CLAIM_KEY, {"scope": scope, "key": key, "request_hash": request_hash,
                                           "created_at": utcnow()})
    if claimed.rowcount == 1:
        return None
    row = session.execute(
        select(_idem.c.request_hash, _idem.c.response_json, _idem.c.status_code)
        .where(_idem.c.scope == scope, _idem.c.key == key)
    ).one()
    return _replay(row, request_hash)


def remember_response(session: Session, key: str, scope: str, body: object,
                      status_code: int = 200) -> None:
    """Store the response for a key claimed with `idempotent()` (same transaction)."""
    session.execute(_REMEMBER, {"scope": scope, "key": key.strip(), "status_code": status_code,
                                "response_json": json.dumps(body, default=str)})


class Idempotent:
    """One operation's claim: `replay` is the stored response of a repeat (or None), and
    `remember(body, status)` stores this one's response in the same transaction."""

    def __init__(self, session: Session, key: str | None, scope: str, payload: object):
        self.session, self.key, self.scope = session, key, scope
        self.replay = idempotent(session, key, request_hash(payload), scope)

    def remember(self, body: object, status_code: int = 200) -> None:
        remember_response(self.session, self.key, self.scope, body, status_code)
