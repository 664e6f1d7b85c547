"""Background tasks of each worker process: webhook delivery and the expiry sweep."""

from __future__ import annotations

import asyncio
import logging

from corebank.features import payments, webhooks
from corebank.features.settings import feature_settings

log = logging.getLogger("corebank.features")

_stop: asyncio.Event | None = None
_tasks: list[asyncio.Task] = []


async def _sweeper(stop: asyncio.Event) -> None:
    interval = feature_settings().sweep_interval_seconds
    while not stop.is_set():
        try:
            await asyncio.to_thread(payments.sweep_expired)
        except Exception:  # a locked database or a bug must not kill the loop
            log.exception("expiry sweep failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except asyncio.TimeoutError:
            pass


async def start() -> None:
    global _stop
    _stop = asyncio.Event()
    _tasks.append(asyncio.create_task(webhooks.run_dispatcher(_stop), name="webhooks"))
    _tasks.append(asyncio.create_task(_sweeper(_stop), name="expiry-sweep"))


async def stop() -> None:
    if _stop is not None:
        _stop.set()
    webhooks.wake()
    for task in _tasks:
        try:
            await asyncio.wait_for(task, timeout=5)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            task.cancel()
    _tasks.clear()
