"""Webhooks to the assistant through an outbox.

An event row is written in the same transaction as the money move it reports, so an event
exists if and only if the move committed. A background task delivers due rows with an HMAC
signature, retrying failures with exponential backoff under the same `event_id` (the receiver
deduplicates). Several worker processes may run the dispatcher: a row is claimed by a
conditional UPDATE that pushes its `next_attempt_at` forward, so only one of them sends it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corebank.core.db import iso, new_id, session_scope, utcnow
from corebank.core.settings import get_settings
from corebank.webhooks.models import WebhookOutbox
from corebank.webhooks.signing import SIGNATURE_HEADER, sign

log = logging.getLogger("corebank.webhooks")

EVENT_TYPES = ("topup.succeeded", "topup.failed", "payment_request.paid", "referral.rewarded",
               "pin.changed", "password.changed")
CLAIM_SECONDS = 30  # a claimed row is retried by someone else if its sender died


def enqueue(session: Session, event_type: str, identity: str | None, data: dict) -> str:
    """Add an event to the outbox in the caller's transaction; returns its event_id.
    Call `wake()` after the commit so it goes out at once instead of at the next poll."""
    assert event_type in EVENT_TYPES, event_type
    event_id = new_id("evt_", 20)
    now = utcnow()
    body = json.dumps(
        {
            "event_id": event_id,
            "type": event_type,
            "identity": identity,
            "data": data,
            "created_at": iso(now),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    session.add(WebhookOutbox(event_id=event_id, type=event_type, body=body, status="pending",
                              attempts=0, next_attempt_at=now, created_at=now))
    wake()
    return event_id


def _backoff(attempts: int) -> timedelta:
    base = get_settings().webhook_retry_base_seconds
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 300))


def _claim_due(limit: int = 20) -> list[tuple[str, str, int]]:
    now = utcnow()
    claimed: list[tuple[str, str, int]] = []
    with session_scope() as session:
        rows = session.execute(
            select(WebhookOutbox.event_id, WebhookOutbox.body, WebhookOutbox.attempts,
                   WebhookOutbox.next_attempt_at)
            .where(WebhookOutbox.status == "pending", WebhookOutbox.next_attempt_at <= now)
            .order_by(WebhookOutbox.next_attempt_at)
            .limit(limit)
        ).all()
        for event_id, body, attempts, due in rows:
            won = session.execute(
                update(WebhookOutbox)
                .where(WebhookOutbox.event_id == event_id, WebhookOutbox.status == "pending",
                       WebhookOutbox.next_attempt_at == due)
                .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
            ).rowcount
            if won:
                claimed.append((event_id, body, attempts))
    return claimed


def _record(event_id: str, attempts: int, status: int | None, error: str | None) -> None:
    now = utcnow()
    values: dict[str, object] = {"attempts": attempts + 1, "last_status": status,
                                 "last_error": (error or "")[:300] or None}
    if status is not None and 200 <= status < 300:
        values.update(status="delivered", delivered_at=now)
    elif attempts + 1 >= get_settings().webhook_max_attempts:
        values.update(status="dead")
        log.warning("webhook %s gave up after %d attempts", event_id, attempts + 1)
    else:
        values.update(next_attempt_at=now + _backoff(attempts + 1))
    with session_scope() as session:
        session.execute(update(WebhookOutbox).where(WebhookOutbox.event_id == event_id)
                        .values(**values))


async def _send(client: httpx.AsyncClient, event_id: str, body: str, attempts: int) -> None:
    settings = get_settings()
    raw = body.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(settings.webhook_secret, raw),
        "X-Bank-Event-Id": event_id,
        "User-Agent": "corebank-sandbox-webhooks/1",
    }
    status, error = None, None
    try:
        response = await client.post(settings.assistant_webhook_url, content=raw,
                                     headers=headers)
        status = response.status_code
        if status >= 300:
            error = f"HTTP {status}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    await asyncio.to_thread(_record, event_id, attempts, status, error)


async def deliver_due(client: httpx.AsyncClient) -> int:
    claimed = await asyncio.to_thread(_claim_due)
    await asyncio.gather(*(_send(client, *row) for row in claimed))
    return len(claimed)


# --- the background task -------------------------------------------------------------------

_wake_event: asyncio.Event | None = None
_loop: asyncio.AbstractEventLoop | None = None


def wake() -> None:
    """Ask the dispatcher to look now (called from request threads after an enqueue)."""
    if _loop is not None and _wake_event is not None:
        try:
            _loop.call_soon_threadsafe(_wake_event.set)
        except RuntimeError:  # loop closed during shutdown
            pass


async def run_dispatcher(stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
    global _wake_event, _loop
    _loop, _wake_event = asyncio.get_running_loop(), asyncio.Event()
    timeout = httpx.Timeout(get_settings().webhook_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
        while not stop.is_set():
            try:
                await deliver_due(client)
            except Exception:  # keep the loop alive; the row will be retried
                log.exception("webhook dispatch failed")
            try:
                await asyncio.wait_for(_wake_event.wait(), timeout=poll_seconds)
            except asyncio.TimeoutError:
                pass
            _wake_event.clear()


def outbox_status(session: Session, event_id: str) -> dict | None:
    row = session.get(WebhookOutbox, event_id)
    if row is None:
        return None
    return {"event_id": row.event_id, "type": row.type, "status": row.status,
            "attempts": row.attempts, "last_status": row.last_status,
            "delivered_at": iso(row.delivered_at)}
