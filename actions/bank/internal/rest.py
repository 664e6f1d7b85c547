"""`CoreBankRest`: the core bank's REST/JSON API (docs/architecture.md, "Corebank REST API").

Every method returns the bank's JSON as plain dicts/lists with money fields as Decimal, or raises a
typed `BankError`. Identity-scoped methods take the messenger identity ("<channel>:<user_id>").
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from ..config import BankSettings
from ..errors import BankError, BankUnavailable, InvalidResponse, error_from_code
from ..money import from_api, to_api
from .auth import TokenProvider
from .transport import Deadline, make_client, transport_error, with_retry

logger = logging.getLogger(__name__)

API = "/api/v1"
IDENTITY_HEADER = "X-Messenger-Identity"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# Response fields that carry money (anywhere in the JSON tree): parsed to Decimal.
MONEY_FIELDS = frozenset(
    {
        "amount", "fee", "total", "balance", "available", "credit_limit", "balance_after",
        "per_transfer", "daily_remaining", "daily_limit", "monthly_limit", "min_amount",
        "max_amount", "debt", "monthly_fee", "issue_fee", "fee_fixed", "fee_min", "price",
        "per_transfer_limit",
    }
)  # fmt: skip


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def parse_money_fields(value: Any, key: str | None = None) -> Any:
    """Money strings → Decimal for the keys in MONEY_FIELDS, recursively."""
    if isinstance(value, dict):
        return {k: parse_money_fields(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [parse_money_fields(v, key) for v in value]
    if key in MONEY_FIELDS and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        try:
            return from_api(value)
        except ValueError:
            return value
    return value


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


class CoreBankRest:
    def __init__(self, settings: BankSettings | None = None) -> None:
        self.settings = settings or BankSettings.from_env()
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

    async def _request(
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

    # ------------------------------------------------------------------ vault

    async def tokenize_card(self, pan: str) -> dict:
        """PAN → {card_token, masked, last4, network, issuer: "own"|"other", bank_name}.
        Same PAN always gives the same token, so the call is safe to repeat."""
        return await self._request("POST", f"{API}/vault/cards", json={"pan": pan}, idempotent=True)

    async def card_lookup(self, card_token: str) -> dict:
        """Card token → the same fields as tokenize_card (NotFound for an unknown token)."""
        return await self._request("GET", f"{API}/vault/cards/{_seg(card_token)}")

    async def store_secret(self, kind: str, value: str) -> dict:
        """kind "otp"|"passport"|"other" → {secret_ref, expires_in}."""
        return await self._request(
            "POST", f"{API}/vault/secrets", json={"kind": kind, "value": value}
        )

    # ------------------------------------------------------------------ authorization zone

    async def start_login(self, phone: str, identity: str) -> dict:
        """Sends an OTP by SMS → {challenge_id, masked_phone, expires_in}."""
        return await self._request(
            "POST", f"{API}/auth/otp", json={"phone": phone, "identity": identity}
        )

    async def verify_otp(
        self, challenge_id: str, code: str | None = None, secret_ref: str | None = None
    ) -> dict:
        """Login challenge → {customer_id, first_name, kyc_level, session_expires_at};
        step-up challenge → {step_up_token}. Pass the code or (preferably) its vault reference."""
        if (code is None) == (secret_ref is None):
            raise ValueError("pass exactly one of code or secret_ref")
        body = {"code": code} if code is not None else {"secret_ref": secret_ref}
        return await self._request(
            "POST", f"{API}/auth/otp/{_seg(challenge_id)}/verify", json=body
        )

    async def session(self, identity: str) -> dict:
        return await self._request("GET", f"{API}/me/session", identity=identity)

    async def logout(self, identity: str) -> dict:
        return await self._request("DELETE", f"{API}/me/session", identity=identity)

    async def start_step_up(self, identity: str, purpose: str, reference: str) -> dict:
        """→ {challenge_id, masked_phone}; verify with verify_otp → {step_up_token}."""
        return await self._request(
            "POST",
            f"{API}/me/step-up",
            json={"purpose": purpose, "reference": reference},
            identity=identity,
        )

    # ------------------------------------------------------------------ accounts and cards

    async def me(self, identity: str) -> dict:
        return await self._request("GET", f"{API}/me", identity=identity)

    async def accounts(self, identity: str) -> list[dict]:
        return await self._request("GET", f"{API}/me/accounts", identity=identity)

    async def cards(self, identity: str) -> list[dict]:
        return await self._request("GET", f"{API}/me/cards", identity=identity)

    async def transactions(self, identity: str, limit: int = 10) -> list[dict]:
        return await self._request(
            "GET", f"{API}/me/transactions", params={"limit": int(limit)}, identity=identity
        )

    async def bank_details(self, identity: str) -> dict:
        return await self._request("GET", f"{API}/me/bank-details", identity=identity)

    async def tariffs(self) -> dict:
        return await self._request("GET", f"{API}/tariffs")

    async def issue_card(
        self, identity: str, tier: str, holder_name: str, idempotency_key: str | None = None
    ) -> dict:
        """tier "basic"|"tariff" → the card. Keyed: a doubled message never issues twice."""
        return await self._request(
            "POST",
            f"{API}/me/cards",
            json={"tier": tier, "holder_name": holder_name},
            identity=identity,
            idempotency_key=idempotency_key or new_idempotency_key(),
        )

    async def submit_kyc(self, identity: str, data: dict) -> dict:
        """data: full_name, date_of_birth, address, passport_number|passport_ref,
        passport_issue_date, passport_authority, consent → {kyc_level, credit_limit, cashback}."""
        return await self._request("POST", f"{API}/me/kyc", json=data, identity=identity)

    async def upgrade_card(self, identity: str, card_id: str) -> dict:
        return await self._request(
            "POST", f"{API}/me/cards/{_seg(card_id)}/upgrade", json={}, identity=identity
        )

    async def order_plastic(self, identity: str, card_id: str, address: dict) -> dict:
        """address {street, city, postal_code?} → {order_id, status, estimated_delivery, ...}.
        TariffRequired for a basic card."""
        return await self._request(
            "POST",
            f"{API}/me/cards/{_seg(card_id)}/plastic",
            json={"address": address},
            identity=identity,
        )

    async def plastic_orders(self, identity: str) -> list[dict]:
        return await self._request("GET", f"{API}/me/plastic-orders", identity=identity)

    async def secure_link(self, identity: str, purpose: str, card_id: str | None = None) -> dict:
        """purpose "card_details"|"set_pin"|"set_password" → {url, expires_in} (one-time link)."""
        body: dict[str, Any] = {"purpose": purpose}
        if card_id is not None:
            body["card_id"] = card_id
        return await self._request("POST", f"{API}/me/secure-links", json=body, identity=identity)

    # ------------------------------------------------------------------ money moves

    async def quote_transfer(
        self, identity: str, to_card_token: str, amount: Decimal, currency: str = "UAH"
    ) -> dict:
        """→ {quote_id, amount, fee, total, currency, route, recipient_masked_name,
        requires_step_up, limits: {per_transfer, daily_remaining}}."""
        return await self._request(
            "POST",
            f"{API}/me/transfers/quote",
            json={"to_card_token": to_card_token, "amount": to_api(amount), "currency": currency},
            identity=identity,
        )

    async def execute_transfer(
        self,
        identity: str,
        quote_id: str,
        step_up_token: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """→ {transfer_id, status, amount, fee, currency, recipient_masked, balance_after,
        receipt_no, at}. OtpRequired above the step-up threshold without a step_up_token."""
        body: dict[str, Any] = {"quote_id": quote_id}
        if step_up_token is not None:
            body["step_up_token"] = step_up_token
        return await self._request(
            "POST",
            f"{API}/me/transfers",
            json=body,
            identity=identity,
            idempotency_key=idempotency_key or new_idempotency_key(),
        )

    async def create_topup(
        self,
        identity: str,
        amount: Decimal,
        currency: str = "UAH",
        idempotency_key: str | None = None,
        card_id: str | None = None,
    ) -> dict:
        """→ {topup_id, payment_url, expires_in} (hosted payment page)."""
        body: dict[str, Any] = {"amount": to_api(amount), "currency": currency}
        if card_id is not None:
            body["card_id"] = card_id
        return await self._request(
            "POST",
            f"{API}/me/topups",
            json=body,
            identity=identity,
            idempotency_key=idempotency_key or new_idempotency_key(),
        )

    async def create_payment_request(
        self, identity: str, amount: Decimal, currency: str = "UAH", note: str | None = None
    ) -> dict:
        """→ {request_id, url} for a friend to pay."""
        body: dict[str, Any] = {"amount": to_api(amount), "currency": currency}
        if note:
            body["note"] = note
        return await self._request(
            "POST", f"{API}/me/payment-requests", json=body, identity=identity
        )


def _seg(value: str) -> str:
    """A path segment that cannot escape its place in the URL."""
    return quote(str(value), safe="")


def _error_code(resp: httpx.Response) -> str | None:
    try:
        err = resp.json().get("error")
    except (ValueError, AttributeError):
        return None
    return err.get("code") if isinstance(err, dict) else None
