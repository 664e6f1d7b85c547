"""The outbox: everything the bank says to a customer on its own (top-up notices, referral
rewards, paid payment requests, later the operators' replies) is stored before it is sent, and
sent exactly once by a worker, within each messenger's rules.

How a message travels:
1. Rasa answers a `trigger_intent` through the channel's `get_output_channel()`, an
   `OutboxOutput`: each bot message (Rasa's message dict: text, buttons, the response name and
   its parameters) becomes a `messenger_outbox` row with a unique `key` and status `queued`.
   The key is `<channel>:<delivery_key>:<n>` when the action named the bank event it reports
   (`delivery_key`, the event id): the same event triggered twice stores its messages once.
2. A worker per channel, started with the Rasa server (and by the first enqueue), claims due
   rows (a conditional UPDATE of `claimed_until`, so several replicas never send one row
   twice), renders the message with the platform's output, and sends its calls, recording
   each part sent (`parts_sent`): a retry resumes after the last part that went out.
3. The platform's answer decides: sent → `sent` (with the platform's message id); 429 → the
   channel pauses for its retry-after and the row is retried then; 5xx / network → exponential
   backoff, at most `OUTBOX_MAX_ATTEMPTS`; blocked by the user → the contact is marked blocked,
   the row `failed`, and no further message is tried until the customer writes again; outside
   the messaging window → WhatsApp sends the approved template, Messenger the message tag, or
   the row is `failed` with the reason recorded (`windows.py`).
4. Status webhooks (WhatsApp `statuses`, Viber `delivered`/`seen`/`failed`, Messenger
   `delivery`/`read`) move a row to `delivered`, `read` or `failed`.

Messages of one customer go in order (a row waits while an older one for the same customer is
queued). A process killed after storing and before sending leaves a queued row that the next
worker sends; killed in the middle of a send, the claim expires and the part is sent again
(the platforms' send APIs take no idempotency key: at-least-once for that one part).
Settings (environment): OUTBOX_RETRY_BASE_SECONDS (2), OUTBOX_MAX_ATTEMPTS (10),
OUTBOX_POLL_SECONDS (2), MESSENGER_RATE_<CHANNEL> messages per second (telegram 25, viber 20,
whatsapp 50, facebook 40).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rasa.core.channels.channel import OutputChannel
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from assistant import db
from assistant.channels.messengers import store
from assistant.channels.messengers.store import OutboxMessage

if TYPE_CHECKING:
    from assistant.channels.messengers.base import Incoming, MessengerInput, SendError

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 60
STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}
DEFAULT_RATES = {"telegram": 25.0, "viber": 20.0, "whatsapp": 50.0, "facebook": 40.0}
# Rasa's keys of a bot message that are not worth storing (the rest is what the output renders).
DROPPED_KEYS = ("timestamp",)


def _setting(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Claimed:
    id: int
    key: str
    recipient: str
    message: dict[str, Any]
    parts_sent: int
    attempts: int
    force_closed_window: bool


class OutboxOutput(OutputChannel):
    """Rasa's output channel for proactive messages: stores, never sends itself."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._count: dict[str, int] = {}

    def name(self) -> str:  # type: ignore[override]  # the channel's name (channel responses)
        return self.outbox.channel.name()

    def _key(self, message: dict[str, Any]) -> str:
        delivery_key = message.get("delivery_key")
        if not isinstance(delivery_key, str) or not delivery_key:
            return f"{self.name()}:{uuid.uuid4().hex}"
        n = self._count.get(delivery_key, 0)
        self._count[delivery_key] = n + 1
        return f"{self.name()}:{delivery_key[:120]}:{n}"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        body = {k: v for k, v in message.items() if k not in DROPPED_KEYS and v is not None}
        await self.outbox.enqueue(recipient_id, body, self._key(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class Outbox:
    """One channel's outbox and its worker."""

    def __init__(self, channel: MessengerInput) -> None:
        self.channel = channel
        name = channel.name()
        self.min_interval = 1.0 / max(
            _setting(f"MESSENGER_RATE_{name.upper()}", DEFAULT_RATES.get(name, 20.0)), 0.1
        )
        self.retry_base = _setting("OUTBOX_RETRY_BASE_SECONDS", 2.0)
        self.max_attempts = int(_setting("OUTBOX_MAX_ATTEMPTS", 10))
        self.poll_seconds = _setting("OUTBOX_POLL_SECONDS", 2.0)
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._next_send = 0.0  # monotonic: the rate limit's next free slot
        self._paused_until = 0.0  # monotonic: the platform asked us to wait (429)

    def output(self) -> OutboxOutput:
        return OutboxOutput(self)

    # ------------------------------------------------------------------ storing

    async def enqueue(self, recipient_id: str, message: dict[str, Any], key: str) -> bool:
        """Store one message (False when its key was stored before) and wake the worker."""
        recipient = recipient_id.removeprefix(self.channel.sender_prefix)
        stored = await asyncio.to_thread(self._insert, recipient, message, key)
        self.start()
        if self._wake is not None:
            self._wake.set()
        return stored

    def _insert(self, recipient: str, message: dict[str, Any], key: str) -> bool:
        now = db.utcnow()
        try:
            with db.session_scope() as session:
                session.add(
                    OutboxMessage(
                        key=key[:200], channel=self.channel.name(), recipient=recipient,
                        message=json.dumps(message, default=str, ensure_ascii=False),
                        status="queued", parts_sent=0, attempts=0, next_attempt_at=now,
                        force_closed_window=0, created_at=now, updated_at=now,
                    )
                )
            return True
        except IntegrityError:
            logger.info("%s outbox: %s stored before, not again", self.channel.name(), key)
            return False

    # ------------------------------------------------------------------ the worker

    def start(self) -> None:
        """Run the worker on the running event loop (once)."""
        if self._task is not None and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._wake = asyncio.Event()
        self._task = loop.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            try:
                sent_any = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("%s outbox: a round failed", self.channel.name())
                sent_any = False
            if sent_any:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    async def run_once(self) -> bool:
        """Deliver what is due now; True when something was claimed."""
        pause = self._paused_until - time.monotonic()
        if pause > 0:
            await asyncio.sleep(min(pause, self.poll_seconds))
            return False
        claimed = await asyncio.to_thread(self._claim_due)
        for row in claimed:
            await self._deliver(row)
        return bool(claimed)

    def _claim_due(self, limit: int = 20) -> list[Claimed]:
        now = db.utcnow()
        claimed: list[Claimed] = []
        waiting: set[str] = set()  # customers with an older queued message: keep the order
        with db.session_scope() as session:
            rows = session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.status == "queued",
                       OutboxMessage.channel == self.channel.name())
                .order_by(OutboxMessage.id)
                .limit(500)
            ).scalars().all()
            for row in rows:
                if row.recipient in waiting:
                    continue
                waiting.add(row.recipient)
                due = store.aware(row.next_attempt_at) <= now
                claim = store.aware(row.claimed_until)
                if not due or (claim is not None and claim > now):
                    continue
                won = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == "queued",
                           or_(OutboxMessage.claimed_until.is_(None),
                               OutboxMessage.claimed_until <= now))
                    .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
                ).rowcount
                if won:
                    claimed.append(Claimed(row.id, row.key, row.recipient,
                                           json.loads(row.message or "{}"), row.parts_sent,
                                           row.attempts, bool(row.force_closed_window)))
                if len(claimed) >= limit:
                    break
        return claimed

    async def _pace(self) -> None:
        now = time.monotonic()
        wait = max(self._next_send, self._paused_until) - now
        if wait > 0:
            await asyncio.sleep(wait)
        self._next_send = max(now, self._next_send) + self.min_interval

    async def _deliver(self, row: Claimed) -> None:
        from assistant.channels.messengers.base import SendError

        name = self.channel.name()
        contact = await asyncio.to_thread(store.contact, name, row.recipient)
        if contact is not None and contact.blocked_at is not None:
            await asyncio.to_thread(self._finish, row.id, "failed", "blocked by the user", None)
            return
        closed = row.force_closed_window or self._window_closed(contact)
        language = (contact.language if contact is not None else None) or ""
        calls, how = await self.channel.proactive_calls(
            row.recipient, row.message, closed=closed, language=language
        )
        if calls is None:  # outside the window and no template / tag allowed for it
            logger.info("%s outbox: %s not sent (%s)", name, row.key, how)
            await asyncio.to_thread(self._finish, row.id, "failed", how, how)
            return
        for index in range(row.parts_sent, len(calls)):
            method, payload = calls[index]
            await self._pace()
            try:
                answer = await self.channel.send(method, payload)
            except SendError as exc:
                await self._refused(row, exc, closed)
                return
            await asyncio.to_thread(
                self._progress, row.id, index + 1, self.channel.sent_message_id(answer), how
            )
        await asyncio.to_thread(self._finish, row.id, "sent", None, how)

    def _window_closed(self, contact: store.MessengerContact | None) -> bool:
        if not self.channel.has_messaging_window or contact is None:
            return False  # unknown: try, the platform says when it is closed
        last = store.aware(contact.last_inbound_at)
        if last is None:
            return True
        return db.utcnow() - last > timedelta(hours=store.window_hours())

    async def _refused(self, row: Claimed, exc: SendError, closed: bool) -> None:
        name = self.channel.name()
        if exc.kind == "blocked":
            await asyncio.to_thread(store.set_blocked, name, row.recipient, True)
            await asyncio.to_thread(self._finish, row.id, "failed", "blocked by the user", None)
            return
        if exc.kind == "window" and not closed and self.channel.has_messaging_window:
            # The platform knows the window better than we do: resend as a template / tagged.
            await asyncio.to_thread(self._reschedule, row.id, 0.0, exc.detail, False, True)
            return
        if exc.kind == "rate":
            delay = exc.retry_after if exc.retry_after is not None else self._backoff(row.attempts)
            self._paused_until = time.monotonic() + delay
            await asyncio.to_thread(self._reschedule, row.id, delay, exc.detail, True, False)
            return
        if exc.kind == "temporary" and row.attempts + 1 < self.max_attempts:
            delay = exc.retry_after if exc.retry_after is not None else self._backoff(row.attempts)
            await asyncio.to_thread(self._reschedule, row.id, delay, exc.detail, True, False)
            return
        await asyncio.to_thread(self._finish, row.id, "failed", f"{exc.kind}: {exc.detail}", None)

    def _backoff(self, attempts: int) -> float:
        delay = min(self.retry_base * (2**attempts), 600.0)
        return delay * random.uniform(0.8, 1.2)

    # ------------------------------------------------------------------ row updates

    def _progress(self, row_id: int, parts: int, platform_id: str | None, how: str) -> None:
        values: dict[str, Any] = {"parts_sent": parts, "updated_at": db.utcnow(), "window": how}
        if platform_id:
            values["platform_message_id"] = platform_id[:200]
        with db.session_scope() as session:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values)
            )

    def _reschedule(self, row_id: int, delay: float, error: str, count: bool,
                    close_window: bool) -> None:
        now = db.utcnow()
        values: dict[str, Any] = {
            "next_attempt_at": now + timedelta(seconds=delay), "claimed_until": None,
            "last_error": error[:200], "updated_at": now,
        }
        if close_window:
            values.update(force_closed_window=1, parts_sent=0)
        with db.session_scope() as session:
            if count:
                values["attempts"] = OutboxMessage.attempts + 1
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values)
            )

    def _finish(self, row_id: int, status: str, error: str | None, how: str | None) -> None:
        now = db.utcnow()
        values: dict[str, Any] = {"status": status, "claimed_until": None, "message": None,
                                  "updated_at": now, "last_error": error}
        if status == "sent":
            values["sent_at"] = now
        if how:
            values["window"] = how[:40]
        with db.session_scope() as session:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values)
            )

    # ------------------------------------------------------------------ status webhooks

    async def status_update(self, incoming: Incoming) -> None:
        await asyncio.to_thread(self._status_update, incoming.extra)

    def _status_update(self, extra: dict[str, Any]) -> None:
        status = extra.get("status")
        name = self.channel.name()
        now = db.utcnow()
        with db.session_scope() as session:
            if extra.get("watermark") is not None:  # Messenger: everything up to a moment
                moment = datetime.fromtimestamp(float(extra["watermark"]) / 1000, now.tzinfo)
                targets = select(OutboxMessage.id).where(
                    OutboxMessage.channel == name,
                    OutboxMessage.recipient == str(extra.get("recipient") or ""),
                    OutboxMessage.sent_at <= moment,
                )
            else:
                ids = [str(i) for i in (extra.get("message_ids") or []) if i]
                if not ids:
                    return
                targets = select(OutboxMessage.id).where(
                    OutboxMessage.channel == name, OutboxMessage.platform_message_id.in_(ids)
                )
            if status == "failed":
                condition = OutboxMessage.status.in_(("sent", "delivered"))
                values: dict[str, Any] = {"status": "failed", "updated_at": now,
                                          "last_error": str(extra.get("error") or "")[:200]}
            elif status in STATUS_RANK:
                lower = [s for s, rank in STATUS_RANK.items() if 0 < rank < STATUS_RANK[status]]
                condition = OutboxMessage.status.in_(lower)
                values = {"status": status, "updated_at": now}
            else:
                return
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(targets), condition)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
