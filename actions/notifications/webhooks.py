"""The bank's webhook receiver on the action server: `POST /webhooks/bank`.

The bank (corebank) posts `{event_id, type, identity, data, created_at}` with
`X-Bank-Signature: t=<unix>,v1=<hex HMAC-SHA256(BANK_WEBHOOK_SECRET, "<t>.<raw body>")>`
and retries non-2xx answers with the same event_id. Here:

1. the signature is checked in constant time, and refused when older (or newer) than 5 minutes;
2. the body must be a JSON event of a known shape (400 otherwise; nothing is recorded);
3. the event is recorded once in the assistant DB (`processed_bank_events`, keyed by event_id);
   a delivery that finds it already notified answers 200 "duplicate" and does nothing;
4. the customer is told in the same chat through Rasa's external-event API
   (`POST {RASA_URL}/conversations/{sender_id}/trigger_intent?output_channel=<channel>`, the
   channel of the conversation's identity, with an `EXTERNAL_*` intent and entities
   amount/currency/balance/…, authenticated by a short-lived JWT in the Authorization header:
   no secret in the URL, assistant/rasa_api.py); only then is
   the event marked
   notified. If Rasa cannot be reached the answer is 503, so the bank retries later.
   Concurrent deliveries of one event are serialised by a short claim on its row.

`rasa_sdk_plugins` mounts `EXTRA_BLUEPRINTS` on the action server (this route does its own
authentication, so the action-server bearer token is not required here).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy import Column, DateTime, String, or_, update
from sqlalchemy.exc import IntegrityError

from actions.common import db
from assistant.rasa_api import api_headers

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Bank-Signature"
TOLERANCE_SECONDS = 300
CLAIM_SECONDS = 30
MAX_BODY_BYTES = 64 * 1024
RASA_TIMEOUT_SECONDS = 5.0

# Bank event type → the external intent Rasa is told about (answered by action_notify_bank_event).
EVENT_INTENTS = {
    "topup.succeeded": "EXTERNAL_topup_succeeded",
    "topup.failed": "EXTERNAL_topup_failed",
    "payment_request.paid": "EXTERNAL_payment_request_paid",
    "referral.rewarded": "EXTERNAL_referral_rewarded",  # answered by action_notify_referral_reward
    "pin.changed": "EXTERNAL_pin_changed",
    "password.changed": "EXTERNAL_password_changed",
}
# The event fields passed on as entities (all non-sensitive: masked card, money, a short note).
ENTITY_FIELDS = {
    "amount": "amount",
    "currency": "currency",
    "balance_after": "balance",
    "masked_card": "masked_card",
    "note": "note",
    "reason": "reason",
}
_EVENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_IDENTITY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}:[\w@.:+\-=/]{1,131}$")


def webhook_secret() -> str:
    return os.environ.get("BANK_WEBHOOK_SECRET") or "dev-webhook-secret"


def rasa_url() -> str:
    return (os.environ.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/")


# --------------------------------------------------------------------------- signature


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_problem(
    secret: str, body: bytes, header: str | None, now: float | None = None
) -> str | None:
    """None when the signature is good; otherwise a short reason (for our log, not the caller)."""
    if not header:
        return "missing signature"
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value.strip())
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return "malformed signature"
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        return "stale signature"
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    # Any of the v1 values may match (the bank may sign with an old and a new secret).
    if any(hmac.compare_digest(expected.encode(), v.encode()) for v in parts.get("v1", [])):
        return None
    return "bad signature"


# --------------------------------------------------------------------------- storage


class ProcessedBankEvent(db.Base):
    """One row per bank event: received, then notified once. No message text, no card data."""

    __tablename__ = "processed_bank_events"

    event_id = Column(String(64), primary_key=True)
    type = Column(String(64), nullable=False)
    identity = Column(String(200), nullable=True)
    received_at = Column(DateTime(timezone=True), nullable=False)
    claimed_until = Column(DateTime(timezone=True), nullable=True)
    notified_at = Column(DateTime(timezone=True), nullable=True)


def record_and_claim(event_id: str, event_type: str, identity: str | None) -> str:
    """'claimed' (we notify now), 'duplicate' (already notified) or 'busy' (another delivery of
    the same event is notifying right now)."""
    now = db.utcnow()
    try:
        with db.session_scope() as session:
            session.add(
                ProcessedBankEvent(
                    event_id=event_id, type=event_type, identity=identity, received_at=now,
                    claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                )
            )
        return "claimed"
    except IntegrityError:
        pass  # seen before: notified already, or a previous attempt could not reach Rasa
    with db.session_scope() as session:
        won = session.execute(
            update(ProcessedBankEvent)
            .where(
                ProcessedBankEvent.event_id == event_id,
                ProcessedBankEvent.notified_at.is_(None),
                or_(
                    ProcessedBankEvent.claimed_until.is_(None),
                    ProcessedBankEvent.claimed_until < now,
                ),
            )
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        ).rowcount
        if won:
            return "claimed"
        row = session.get(ProcessedBankEvent, event_id)
        return "duplicate" if row is not None and row.notified_at is not None else "busy"


def mark_notified(event_id: str) -> None:
    with db.session_scope() as session:
        session.execute(
            update(ProcessedBankEvent)
            .where(ProcessedBankEvent.event_id == event_id)
            .values(notified_at=db.utcnow(), claimed_until=None)
        )


def release_claim(event_id: str) -> None:
    with db.session_scope() as session:
        session.execute(
            update(ProcessedBankEvent)
            .where(ProcessedBankEvent.event_id == event_id)
            .values(claimed_until=None)
        )


# --------------------------------------------------------------------------- parsing


class BadEvent(ValueError):
    pass


def parse_event(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # nested 100,000 deep: 400
        raise BadEvent("body is not JSON") from exc
    if not isinstance(event, dict):
        raise BadEvent("body must be a JSON object")
    event_id, event_type = event.get("event_id"), event.get("type")
    if not isinstance(event_id, str) or not _EVENT_ID_RE.match(event_id):
        raise BadEvent("event_id missing or malformed")
    if not isinstance(event_type, str) or not event_type:
        raise BadEvent("type missing")
    identity = event.get("identity")
    if identity is not None and (not isinstance(identity, str) or not _IDENTITY_RE.match(identity)):
        raise BadEvent("identity malformed")
    data = event.get("data", {})
    if not isinstance(data, dict):
        raise BadEvent("data must be an object")
    return event


def entities_for(data: dict[str, Any]) -> dict[str, str]:
    entities = {}
    for field, entity in ENTITY_FIELDS.items():
        value = data.get(field)
        if value not in (None, "") and isinstance(value, (str, int)):
            entities[entity] = str(value)[:140]
    return entities


# --------------------------------------------------------------------------- Rasa


async def trigger_intent(sender_id: str, intent: str, entities: dict[str, str],
                         channel: str = "latest") -> None:
    """Rasa's external-event API: the intent runs as if the customer had written, and the bot's
    answer goes out through `channel` (the one the identity belongs to). Raises on any
    failure."""
    # Rasa (Sanic) does not unquote the `<conversation_id:path>` segment: the characters a
    # sender id may hold (assistant/channels/guard.py SENDER_ID; Viber ids have "+/=") go as is.
    url = f"{rasa_url()}/conversations/{quote(sender_id, safe='@.:+-=/_')}/trigger_intent"
    async with httpx.AsyncClient(timeout=RASA_TIMEOUT_SECONDS, trust_env=False) as client:
        resp = await client.post(
            url,
            params={"output_channel": channel},
            headers=api_headers(),
            json={"name": intent, "entities": entities},
        )
    if resp.status_code >= 300:
        raise RuntimeError(f"Rasa answered {resp.status_code}")


# --------------------------------------------------------------------------- route

bank_webhooks = Blueprint("bank_webhooks")


def _answer(status: int, code: str, message: str) -> response.HTTPResponse:
    if status < 300:
        return response.json({"status": code}, status=status)
    return response.json({"error": {"code": code, "message": message}}, status=status)


@bank_webhooks.post("/webhooks/bank")
async def receive_bank_event(request: Request) -> response.HTTPResponse:
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        return _answer(413, "invalid_request", "Body too large.")
    problem = signature_problem(webhook_secret(), body, request.headers.get(SIGNATURE_HEADER))
    if problem:
        logger.warning("bank webhook refused: %s", problem)
        return _answer(401, "unauthorized", "Missing, wrong or stale signature.")
    try:
        event = parse_event(body)
    except BadEvent as exc:
        return _answer(400, "invalid_request", str(exc))

    event_id, event_type = event["event_id"], event["type"]
    identity = event.get("identity")
    intent = EVENT_INTENTS.get(event_type)
    state = await asyncio.to_thread(record_and_claim, event_id, event_type, identity)
    if state == "duplicate":
        return _answer(200, "duplicate", "")
    if state == "busy":
        # Another delivery of this event is notifying right now: let the bank retry later.
        return _answer(409, "in_progress", "This event is being processed.")
    if intent is None or not identity:
        await asyncio.to_thread(mark_notified, event_id)  # nothing to tell anyone
        return _answer(200, "ignored", "")
    # The identity is `<channel>:<conversation key>` (actions.common.conversation.identity):
    # the notice goes to that conversation through that channel, never to whichever channel
    # wrote last.
    channel, sender_id = identity.split(":", 1)
    try:
        entities = {**entities_for(event.get("data") or {}), "delivery_key": event_id}
        await trigger_intent(sender_id, intent, entities, channel)
    except Exception as exc:  # Rasa down or refusing: the bank retries with the same event_id
        logger.warning("bank webhook %s: could not reach Rasa (%s)", event_id, type(exc).__name__)
        await asyncio.to_thread(release_claim, event_id)
        return _answer(503, "unavailable", "Could not deliver the message; retry later.")
    await asyncio.to_thread(mark_notified, event_id)
    logger.info("bank webhook %s (%s) delivered", event_id, event_type)
    return _answer(200, "delivered", "")


EXTRA_BLUEPRINTS = [bank_webhooks]
