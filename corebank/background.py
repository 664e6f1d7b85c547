"""Background tasks of each worker process: webhook delivery and the expiry sweep.
`corebank.app.create_app` runs `start` on startup and `stop` on shutdown."""

from __future__ import annotations

import asyncio

from corebank.payments.sweep import run_sweeper
from corebank.webhooks import outbox

_stop: asyncio.Event | None = None
_tasks: list[asyncio.Task] = []


async def start() -> None:
    global _stop
    _stop = asyncio.Event()
    _tasks.append(asyncio.create_task(outbox.run_dispatcher(_stop), name="webhooks"))
    _tasks.append(asyncio.create_task(run_sweeper(_stop), name="expiry-sweep"))


async def stop() -> None:
    if _stop is not None:
        _stop.set()
    outbox.wake()
    for task in _tasks:
        try:
            await asyncio.wait_for(task, timeout=5)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            task.cancel()
    _tasks.clear()
