"""Partners' systems (promo codes, offers, partner onboarding links): the external side.

Every partner client has the same transport discipline as the core-bank clients (pooled httpx
client, total time budget, one retry only for idempotent calls, idempotency keys on money moves)
with the partner's own auth and its own typed errors. Each partner gets a `PartnerClient`
subclass in its own module, registered with `register_partner(name, factory)` and reached through
the process-wide registry: `get_bank().partners.get(name)`. Registered here:
`partner_sandbox` (`PartnerSandbox`: the partners' promo-code API, PARTNERS_URL /
PARTNERS_API_KEY; `partnersandbox/` stands in for it).

How to add a partner (e.g. `bankclient/partner_game_arena.py`):

    class GameArena(PartnerClient):
        name = "game_arena"

        def auth_headers(self) -> dict[str, str]:
            return {"X-Api-Key": self.settings.api_key}

        def error_from(self, resp):                     # optional: map the partner's error body
            ...

        async def issue_promo_code(
            self, customer_ref: str, campaign: str, *, idempotency_key: str
        ) -> PromoCode:                                 # a frozen dataclass(Result)
            data = await self.request("POST", "/promo-codes",
                                      json={"customer": customer_ref, "campaign": campaign},
                                      idempotency_key=idempotency_key)
            return PromoCode.from_json(data)

    register_partner("game_arena", lambda: GameArena(PartnerSettings.from_env("GAME_ARENA")))

and import that module from `bankclient/__init__.py` so the registration runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from ._model import Result
from .errors import BankError, BankUnavailable, InvalidResponse
from .transport.http import Deadline, make_client, transport_error, with_retry


class PartnerError(BankError):
    """A partner refused the request (4xx). `details["partner"]` names the partner."""

    default_code = "partner_error"


class PartnerUnavailable(BankUnavailable):
    """The partner timed out, was unreachable, or failed (5xx)."""

    default_code = "partner_unavailable"


@dataclass(frozen=True)
class PartnerSettings:
    base_url: str
    api_key: str = ""
    timeout_seconds: float = 2.5
    connect_timeout_seconds: float = 1.0

    @classmethod
    def from_env(cls, prefix: str, default_url: str = "") -> PartnerSettings:
        """<PREFIX>_URL, <PREFIX>_API_KEY, <PREFIX>_TIMEOUT_SECONDS (or BANK_TIMEOUT_SECONDS)."""
        timeout = float(
            Decimal(
                os.environ.get(f"{prefix}_TIMEOUT_SECONDS")
                or os.environ.get("BANK_TIMEOUT_SECONDS")
                or "2.5"
            )
        )
        return cls(
            base_url=(os.environ.get(f"{prefix}_URL") or default_url).rstrip("/"),
            api_key=os.environ.get(f"{prefix}_API_KEY", ""),
            timeout_seconds=timeout,
            connect_timeout_seconds=min(1.0, timeout),
        )


class PartnerClient:
    """Subclass per partner; override `auth_headers` (and `error_from` if its errors differ)."""

    name = "partner"

    def __init__(self, settings: PartnerSettings) -> None:
        self.settings = settings
        self._client = make_client(
            settings.base_url, settings.connect_timeout_seconds, settings.timeout_seconds
        )

    async def close(self) -> None:
        await self._client.aclose()

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}

    def error_from(self, resp: httpx.Response) -> BankError:
        """Default: {"error": {"code", "message"}} or {"error": "...", "message": "..."}."""
        try:
            body = resp.json()
        except ValueError:
            body = {}
        err = body.get("error") if isinstance(body, dict) else None
        code = err.get("code") if isinstance(err, dict) else err
        message = (err.get("message") if isinstance(err, dict) else None) or (
            body.get("message") if isinstance(body, dict) else None
        )
        details = {"partner": self.name}
        cls = PartnerUnavailable if resp.status_code >= 500 else PartnerError
        return cls(
            str(message or f"{self.name} answered {resp.status_code}"),
            code=str(code) if code else None,
            status=resp.status_code,
            details=details,
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        money_move: bool = False,
    ) -> Any:
        """Send one call. A money move (`money_move=True`) must carry an Idempotency-Key."""
        if money_move and not idempotency_key:
            raise ValueError(f"{self.name} {method} {path}: a money move needs an idempotency_key")
        headers = dict(self.auth_headers())
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        idempotent = method in ("GET", "DELETE") or idempotency_key is not None
        what = f"{self.name} {method} {path}"
        deadline = Deadline(self.settings.timeout_seconds)

        async def attempt() -> Any:
            sent = self._send(method, path, json, params, headers, deadline)
            return await deadline.run(sent, what)

        try:
            return await with_retry(attempt, deadline=deadline, retry=idempotent, what=what)
        except BankUnavailable as err:
            if isinstance(err, PartnerUnavailable):
                raise
            raise PartnerUnavailable(
                err.message, status=err.status, details={"partner": self.name}
            ) from err

    async def _send(self, method, path, json, params, headers, deadline: Deadline) -> Any:
        try:
            resp = await self._client.request(
                method,
                path,
                json=json,
                params=params,
                headers=headers,
                timeout=deadline.timeout(self.settings.connect_timeout_seconds),
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, f"{self.name} {method} {path}") from exc
        if resp.status_code >= 400:
            raise self.error_from(resp)
        if not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError as exc:
            raise InvalidResponse(f"{self.name}: non-JSON answer", status=resp.status_code) from exc


class PartnerRegistry:
    """Partner clients by name, created lazily on first use (one pooled client per partner)."""

    def __init__(self) -> None:
        self._factories: dict[str, Callable[[], PartnerClient]] = {}
        self._clients: dict[str, PartnerClient] = {}

    def register(self, name: str, factory: Callable[[], PartnerClient]) -> None:
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def get(self, name: str) -> PartnerClient:
        if name not in self._clients:
            if name not in self._factories:
                raise KeyError(f"no partner named {name!r}")
            self._clients[name] = self._factories[name]()
        return self._clients[name]

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()


# Partner modules register their factory at import time; every new registry starts with them.
_FACTORIES: dict[str, Callable[[], PartnerClient]] = {}


def register_partner(name: str, factory: Callable[[], PartnerClient]) -> None:
    _FACTORIES[name] = factory


def default_registry() -> PartnerRegistry:
    registry = PartnerRegistry()
    for name, factory in _FACTORIES.items():
        registry.register(name, factory)
    return registry


# --------------------------------------------------------------------------- the partners

@dataclass(frozen=True)
class PromoCode(Result):
    code: str
    partner: str
    campaign: str
    gives: str | None = None
    valid_until: str | None = None
    partner_ref: str | None = None


class PartnerSandbox(PartnerClient):
    """The partners' promo-code API (partnersandbox/ in development): API-key auth, one call
    per code. Issuing carries an Idempotency-Key derived from the customer and the offer, so
    the one retry after a timeout (or asking again later) gets the same code, never a second."""

    name = "partner_sandbox"

    def auth_headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.settings.api_key} if self.settings.api_key else {}

    async def issue_promo_code(
        self, partner: str, customer_ref: str, campaign: str, *, idempotency_key: str
    ) -> PromoCode:
        data = await self.request(
            "POST",
            f"/v1/partners/{quote(partner, safe='')}/promo-codes",
            json={"customer_ref": customer_ref, "campaign": campaign},
            idempotency_key=idempotency_key,
        )
        return PromoCode.from_json(data)


register_partner(
    PartnerSandbox.name,
    lambda: PartnerSandbox(PartnerSettings.from_env("PARTNERS", "http://127.0.0.1:8810")),
)
