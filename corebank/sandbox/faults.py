"""Fault injection for tests and demos: latency, random 503s, hangs (PUT /sandbox/faults), and a
late answer (`answer_latency_ms`: the request is fully handled, its change committed, and only
the answer is held back, as a slow real bank that completes what the client gave up on).

The switches live in the database (table sandbox_settings) so every worker process obeys them;
each worker re-reads them at most every REFRESH_SECONDS, and the worker that receives the PUT
applies them at once. A hung request sleeps and then fails *before* reaching its handler, so it
never writes anything (the client has given up long before).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import asdict, dataclass

from sqlalchemy import delete, select

from corebank.core.db import read_only_connection, session_scope, utcnow
from corebank.core.settings import get_settings
from corebank.sandbox.models import SandboxSetting
from corebank.soap.envelope import fault_envelope

log = logging.getLogger("corebank.faults")

REFRESH_SECONDS = 0.5
SETTING_NAME = "faults"
EXEMPT_PREFIXES = ("/sandbox", "/health")
_READ_FAULTS = select(SandboxSetting.value_json).where(SandboxSetting.name == SETTING_NAME)


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    hang: bool = False
    paths: list[str] | None = None
    answer_latency_ms: int = 0

    @property
    def active(self) -> bool:
        return bool(self.latency_ms or self.error_rate or self.hang or self.answer_latency_ms)

    def applies_to(self, path: str) -> bool:
        if path.startswith(EXEMPT_PREFIXES):
            return False
        return self.paths is None or any(path.startswith(p) for p in self.paths)


class FaultState:
    def __init__(self) -> None:
        self.faults = Faults()
        self.loaded_at = 0.0

    def current(self) -> Faults:
        if time.monotonic() - self.loaded_at > REFRESH_SECONDS:
            self.refresh()
        return self.faults

    def refresh(self) -> None:
        try:
            with read_only_connection() as conn:
                row = conn.execute(_READ_FAULTS).scalar_one_or_none()
            self.faults = Faults(**json.loads(row)) if row else Faults()
        except Exception:  # the database itself may be the thing that is down
            log.warning("could not read fault switches; keeping the previous ones")
        self.loaded_at = time.monotonic()

    def save(self, faults: Faults | None) -> None:
        with session_scope() as session:
            session.execute(delete(SandboxSetting).where(SandboxSetting.name == SETTING_NAME))
            if faults is not None and faults.active:
                session.add(SandboxSetting(name=SETTING_NAME, value_json=json.dumps(asdict(faults)),
                                           updated_at=utcnow()))
        self.faults = faults or Faults()
        self.loaded_at = time.monotonic()


STATE = FaultState()


def _soap_fault_body() -> bytes:
    return fault_envelope("bank_unavailable", "The bank is temporarily unavailable.", client=False)


def _late(send, delay_ms: int):
    """`send` that holds the answer back: the handler has done its work by then."""

    async def late_send(message) -> None:
        if message.get("type") == "http.response.start":
            await asyncio.sleep(delay_ms / 1000)
        await send(message)

    return late_send


class FaultMiddleware:
    """Pure ASGI middleware (cheap on the hot path when no fault is set)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        faults = STATE.current()
        path = scope.get("path", "")
        if not faults.active or not faults.applies_to(path):
            return await self.app(scope, receive, send)
        if faults.hang:
            await asyncio.sleep(get_settings().hang_seconds)
            return await self._unavailable(path, send)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.error_rate and random.random() < faults.error_rate:
            return await self._unavailable(path, send)
        if faults.answer_latency_ms:
            return await self.app(scope, receive, _late(send, faults.answer_latency_ms))
        return await self.app(scope, receive, send)

    async def _unavailable(self, path: str, send) -> None:
        if path.startswith("/soap"):
            body, ctype = _soap_fault_body(), b"text/xml; charset=utf-8"
        else:
            body = json.dumps({"error": {"code": "bank_unavailable",
                                         "message": "The bank is temporarily unavailable."}})
            body, ctype = body.encode(), b"application/json"
        await send({"type": "http.response.start", "status": 503 if ctype[:4] == b"appl" else 500,
                    "headers": [(b"content-type", ctype),
                                (b"content-length", str(len(body)).encode()),
                                (b"retry-after", b"1")]})
        await send({"type": "http.response.body", "body": body})
