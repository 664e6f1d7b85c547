"""`RestClient`: the low-level client of the core bank's REST/JSON API (docs/architecture.md,
"Corebank REST API"): OAuth2 bearer tokens, the messenger-identity and idempotency headers, one
total time budget per call, one retry only when repeating is harmless, typed errors.

`request()` returns the bank's JSON (money fields as Decimal) or raises a typed `BankError`; the
capability modules (`bankclient.cards`, …) turn that JSON into typed results.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any
from urllib.parse import quote

import httpx

from ..config import BankSettings
from ..errors import BankError, BankUnavailable, InvalidResponse, error_from_code
from ..money import parse_money_fields
from .auth import TokenProvider
from .http import Deadline, make_client, transport_error, with_retry

logger = logging.getLogger(__name__)

API = "/api/v1"
IDENTITY_HEADER = "X-Messenger-Identity"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def error_from_response(resp: httpx.Response) -> BankError:
    """The typed error for a non-2xx bank response ({"error": {"code", "message", ...extra}})."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        extra = parse_money_fields({k: v for k, v in err.items() if k not in ("code", "message")})
        return error_from_code(
            err.get("code"), str(err.get("message", "")), status=resp.status_code, details=extra
        )
    if resp.status_code >= 500:
        return BankUnavailable(f"bank answered {resp.status_code}", status=resp.status_code)
    return error_from_code(None, f"bank answered {resp.status_code}", status=resp.status_code)


class RestClient:
    def __init__(self, settings: BankSettings) -> None:
        self.settings = settings
        self._client = make_client(
            self.settings.url,
            self.settings.connect_timeout_seconds,
            self.settings.timeout_seconds,
        )
        self.tokens = TokenProvider(self._client, self.settings)
        # HTTP attempts per "METHOD path" (retries included): observability, and lets tests
        # check that non-idempotent calls are sent once.
        self.attempts: Counter[str] = Counter()

    async def close(self) -> None:
        await self._client.aclose()

    # ------------------------------------------------------------------ transport

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        identity: str | None = None,
        idempotency_key: str | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One wrapper call: bearer token, total time budget, typed errors, and one retry only when
        repeating is harmless (GET/DELETE, or a POST carrying an Idempotency-Key — same key)."""
        if idempotent is None:
            idempotent = method in ("GET", "DELETE") or idempotency_key is not None
        headers: dict[str, str] = {}
        if identity is not None:
            headers[IDENTITY_HEADER] = identity
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        what = f"{method} {path}"
        deadline = Deadline(self.settings.timeout_seconds)

        async def attempt() -> Any:
            return await deadline.run(
                self._authorized_send(method, path, json, params, headers, deadline), what
            )

        return await with_retry(attempt, deadline=deadline, retry=idempotent, what=what)

    async def _authorized_send(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        deadline: Deadline,
    ) -> Any:
        token = await self.tokens.token(deadline)
        resp = await self._send(method, path, json, params, headers, token, deadline)
        if resp.status_code == 401 and _error_code(resp) == "unauthorized":
            # Our token was refused (revoked, keys rotated, clock skew): the request did nothing,
            # so one forced refresh and one resend are safe even for a POST.
            logger.info("bank refused the access token; refreshing once")
            token = await self.tokens.refresh(deadline, stale=token)
            resp = await self._send(method, path, json, params, headers, token, deadline)
        if resp.status_code >= 400:
            raise error_from_response(resp)
        if resp.status_code == 204 or not resp.content:
            return {}
        try:
            body = resp.json()
        except ValueError as exc:
            raise InvalidResponse(
                f"{method} {path}: non-JSON answer", status=resp.status_code
            ) from exc
        return parse_money_fields(body)

    async def _send(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        token: str,
        deadline: Deadline,
    ) -> httpx.Response:
        self.attempts[f"{method} {path}"] += 1
        try:
            return await self._client.request(
                method,
                path,
                json=json,
                params=params,
                headers={**headers, "Authorization": f"Bearer {token}"},
                timeout=deadline.timeout(self.settings.connect_timeout_seconds),
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, f"{method} {path}") from exc


def seg(value: str) -> str:
    """A path segment that cannot escape its place in the URL."""
    return quote(str(value), safe="")


def _error_code(resp: httpx.Response) -> str | None:
    try:
        err = resp.json().get("error")
    except (ValueError, AttributeError):
        return None
    return err.get("code") if isinstance(err, dict) else None
