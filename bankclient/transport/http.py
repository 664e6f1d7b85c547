"""What every backend client shares: one pooled httpx client, a total time budget per call,
and at most one retry, only for calls that are safe to repeat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from ..errors import BankError, BankUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Below this much budget a retry cannot finish anyway; answer the customer instead.
MIN_RETRY_BUDGET = 0.3
RETRY_PAUSE = 0.05


def make_client(base_url: str, connect_timeout: float, total_timeout: float) -> httpx.AsyncClient:
    """One AsyncClient per backend: keep-alive pool shared by every call of the process."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(total_timeout, connect=connect_timeout),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        follow_redirects=False,
    )


class Deadline:
    """The wall-clock budget of one wrapper call, shared by all its attempts (and token fetch)."""

    def __init__(self, seconds: float) -> None:
        self._loop = asyncio.get_running_loop()
        self.expires_at = self._loop.time() + seconds

    def remaining(self) -> float:
        return max(0.0, self.expires_at - self._loop.time())

    def timeout(self, connect: float) -> httpx.Timeout:
        left = max(self.remaining(), 0.001)
        return httpx.Timeout(left, connect=min(connect, left))

    async def run(self, coro: Awaitable[T], what: str) -> T:
        """Await `coro` but never past the deadline (httpx timeouts are per read, not total)."""
        left = self.remaining()
        if left <= 0:
            if asyncio.iscoroutine(coro):
                coro.close()
            raise BankUnavailable(f"{what}: time budget exhausted", code="bank_unavailable")
        try:
            return await asyncio.wait_for(coro, timeout=left)
        except asyncio.TimeoutError as exc:
            raise BankUnavailable(f"{what}: timed out", code="bank_unavailable") from exc


def transport_error(exc: httpx.HTTPError, what: str) -> BankUnavailable:
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
    return BankUnavailable(f"{what}: {kind} ({type(exc).__name__})", code="bank_unavailable")


def is_retryable(err: BankError) -> bool:
    """Transport failures and 5xx may succeed on a second try; business errors never will."""
    return isinstance(err, BankUnavailable) and (err.status is None or err.status >= 500) and (
        err.code != "invalid_response"
    )


async def with_retry(
    attempt: Callable[[], Awaitable[T]], *, deadline: Deadline, retry: bool, what: str
) -> T:
    """Run `attempt`; if it fails retryably and `retry` is allowed (idempotent call), try once more
    with the remaining budget."""
    try:
        return await attempt()
    except BankError as err:
        if not (retry and is_retryable(err) and deadline.remaining() > MIN_RETRY_BUDGET):
            raise
        logger.info("bank call %s failed (%s); retrying once", what, err.code)
    await asyncio.sleep(RETRY_PAUSE)
    return await attempt()
