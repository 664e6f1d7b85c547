"""OAuth2 client-credentials tokens from the bank's Keycloak-style token endpoint."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx

from ..config import BankSettings
from ..errors import BankUnavailable, InvalidResponse, Unauthorized, error_from_code
from .http import Deadline, transport_error

logger = logging.getLogger(__name__)

# Refresh this long before expiry so a token never dies in flight.
EXPIRY_LEEWAY_SECONDS = 30.0


class TokenProvider:
    """Caches one access token; at most one refresh in flight (others wait and share its result)."""

    def __init__(self, client: httpx.AsyncClient, settings: BankSettings) -> None:
        self._client = client
        self._settings = settings
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetch_count = 0  # how many times the token endpoint was called (observability, tests)

    def _fresh(self) -> bool:
        return self._token is not None and time.monotonic() < self._expires_at

    async def token(self, deadline: Deadline) -> str:
        if self._fresh():
            return self._token  # type: ignore[return-value]
        return await self.refresh(deadline, stale=None)

    async def refresh(self, deadline: Deadline, stale: str | None) -> str:
        """Fetch a new token. `stale` is the token the server just refused: if another caller
        has already replaced it meanwhile, use theirs instead of fetching again."""
        # Waiting for the lock counts against the caller's budget too.
        return await deadline.run(self._refresh_locked(deadline, stale), "token")

    async def _refresh_locked(self, deadline: Deadline, stale: str | None) -> str:
        async with self._lock:
            if self._token is not None and self._token != stale and self._fresh():
                return self._token
            token, expires_in = await self._fetch(deadline)
            self._token = token
            lifetime = max(0.0, expires_in - EXPIRY_LEEWAY_SECONDS)
            # A very short-lived token is still used once rather than refetched on every call.
            self._expires_at = time.monotonic() + max(lifetime, min(expires_in / 2, 5.0))
            return token

    def invalidate(self) -> None:
        self._token = None
        self._expires_at = 0.0

    async def _fetch(self, deadline: Deadline) -> tuple[str, float]:
        s = self._settings
        form = {
            "grant_type": "client_credentials",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
        }
        if s.scope:
            form["scope"] = s.scope
        self.fetch_count += 1
        try:
            resp = await self._client.post(
                s.token_url, data=form, timeout=deadline.timeout(s.connect_timeout_seconds)
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, "token") from exc
        if resp.status_code >= 500:
            raise BankUnavailable("token endpoint failed", status=resp.status_code)
        try:
            body = resp.json()
        except ValueError as exc:
            raise InvalidResponse("token endpoint sent non-JSON", status=resp.status_code) from exc
        if resp.status_code != 200:
            # Keycloak style {"error": "invalid_client", ...} or the bank's {"error": {...}}.
            err = body.get("error") if isinstance(body, dict) else None
            if isinstance(err, dict):
                raise error_from_code(
                    "unauthorized", str(err.get("message", "")), status=resp.status_code
                )
            raise Unauthorized(f"token refused: {err}", status=resp.status_code)
        try:
            return str(body["access_token"]), float(body.get("expires_in", 60))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidResponse("token response without access_token") from exc
