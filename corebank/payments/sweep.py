"""The expiry sweep: abandoned top-ups fail (with a topup.failed event for the assistant) and
old payment requests expire. Each worker process runs it in the background every
FEATURES_SWEEP_SECONDS (see corebank/background.py)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select, update

from corebank.core.db import session_scope, utcnow
from corebank.core.settings import get_settings
from corebank.payments.models import PaymentRequest, Topup
from corebank.payments.service import TOPUP, fail_topup, load
from corebank.webhooks import outbox

log = logging.getLogger("corebank.payments")


def sweep_expired(limit: int = 100) -> int:
    """Fail abandoned top-ups (with a topup.failed event) and expire old payment requests."""
    now = utcnow()
    count = 0
    with session_scope() as session:
        ids = session.execute(
            select(Topup.id).where(Topup.status == "pending", Topup.expires_at <= now)
            .limit(limit)
        ).scalars().all()
        for topup_id in ids:
            t = load(session, TOPUP, topup_id)
            if t is not None and t.status == "pending":
                fail_topup(session, t, "expired")
                count += 1
        count += session.execute(
            update(PaymentRequest)
            .where(PaymentRequest.status == "open", PaymentRequest.expires_at <= now)
            .values(status="expired", failure_reason="expired")
        ).rowcount or 0
    if count:
        outbox.wake()
    return count


async def run_sweeper(stop: asyncio.Event) -> None:
    interval = get_settings().sweep_interval_seconds
    while not stop.is_set():
        try:
            await asyncio.to_thread(sweep_expired)
        except Exception:  # a locked database or a bug must not kill the loop
            log.exception("expiry sweep failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except asyncio.TimeoutError:
            pass
