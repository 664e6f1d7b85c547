"""Customers: the authorization zone (login by phone + OTP, sessions, step-up OTP), the customer's
profile, and identity verification (KYC) for the Digital Tariff Card.

Identity-scoped methods take the messenger identity ("<channel>:<user_id>"); an identity without
a bank session gets `LoginRequired` (or `SessionExpired`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from ._model import Result
from .cards import Cashback
from .transport import Transport
from .transport.rest import API, seg


@dataclass(frozen=True)
class OtpChallenge(Result):
    """A one-time code was sent by SMS; verify it with `verify_login` / `verify_step_up`."""

    challenge_id: str
    masked_phone: str
    expires_in: int | None = None  # seconds


@dataclass(frozen=True)
class LoginResult(Result):
    """The identity is now linked to the customer (a newcomer becomes a prospect)."""

    customer_id: str
    kyc_level: str  # none | basic | verified
    first_name: str | None = None
    is_new: bool = False
    session_expires_at: str | None = None  # ISO 8601


@dataclass(frozen=True)
class StepUpToken(Result):
    """Proof of a fresh OTP for one risky operation (pass it to that operation)."""

    step_up_token: str
    expires_in: int | None = None
    purpose: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Session(Result):
    customer_id: str
    kyc_level: str
    identity: str | None = None
    session_id: str | None = None
    first_name: str | None = None
    masked_phone: str | None = None
    expires_at: str | None = None  # ISO 8601
    idle_timeout_seconds: int | None = None


@dataclass(frozen=True)
class Profile(Result):
    customer_id: str
    kyc_level: str  # none | basic | verified
    first_name: str | None = None
    masked_name: str | None = None  # "Anna I.": what a sender may see
    masked_phone: str | None = None


@dataclass(frozen=True)
class KycApplication:
    """What identity verification needs. Prefer `passport_ref` (a vault reference, `ptok_…`) over
    the number itself; dates are ISO 8601 (YYYY-MM-DD)."""

    full_name: str
    date_of_birth: str
    address: str
    passport_issue_date: str
    passport_authority: str
    consent: bool
    passport_ref: str | None = None
    passport_number: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}  # fmt: skip


@dataclass(frozen=True)
class IdentityDocument(Result):
    type: str | None = None  # passport | id_card
    masked: str | None = None


@dataclass(frozen=True)
class KycResult(Result):
    """Verified: the customer may now have the Digital Tariff Card."""

    kyc_level: str
    credit_limit: Decimal
    kyc_id: str | None = None
    currency: str = "UAH"
    document: IdentityDocument | None = None
    cashback: Cashback | None = None


class Customers:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    # ------------------------------------------------------------------ login and sessions

    async def start_login(self, phone: str, identity: str) -> OtpChallenge:
        """Sends a login code by SMS to `phone` for this messenger identity."""
        data = await self._t.rest.request(
            "POST", f"{API}/auth/otp", json={"phone": phone, "identity": identity}
        )
        return OtpChallenge.from_json(data)

    async def verify_login(
        self, challenge_id: str, *, code: str | None = None, secret_ref: str | None = None
    ) -> LoginResult:
        """Check a login code: pass the code or (preferably) its vault reference (`otok_…`)."""
        return LoginResult.from_json(await self._verify(challenge_id, code, secret_ref))

    async def session(self, identity: str) -> Session:
        """The identity's bank session (LoginRequired / SessionExpired without one)."""
        return Session.from_json(
            await self._t.rest.request("GET", f"{API}/me/session", identity=identity)
        )

    async def logout(self, identity: str) -> bool:
        """End the identity's bank session; True if there was one."""
        data = await self._t.rest.request("DELETE", f"{API}/me/session", identity=identity)
        return bool(data.get("logged_out")) if isinstance(data, dict) else False

    # ------------------------------------------------------------------ step-up

    async def start_step_up(
        self, identity: str, purpose: str, reference: str, *, amount: str | None = None,
        target: str | None = None,
    ) -> OtpChallenge:
        """Sends a code for one risky operation, good for that operation only: `purpose`
        "transfer" with `reference` its quote id, or "bill" with `reference` the payment's
        idempotency key, `amount` its total and `target` "<provider id>:<account>"."""
        body = {"purpose": purpose, "reference": reference}
        body |= {k: v for k, v in (("amount", amount), ("target", target)) if v is not None}
        data = await self._t.rest.request("POST", f"{API}/me/step-up", json=body,
                                          identity=identity)
        return OtpChallenge.from_json(data)

    async def verify_step_up(
        self, challenge_id: str, *, code: str | None = None, secret_ref: str | None = None
    ) -> StepUpToken:
        return StepUpToken.from_json(await self._verify(challenge_id, code, secret_ref))

    async def _verify(self, challenge_id: str, code: str | None, secret_ref: str | None) -> Any:
        if (code is None) == (secret_ref is None):
            raise ValueError("pass exactly one of code or secret_ref")
        body = {"code": code} if code is not None else {"secret_ref": secret_ref}
        return await self._t.rest.request(
            "POST", f"{API}/auth/otp/{seg(challenge_id)}/verify", json=body
        )

    # ------------------------------------------------------------------ profile and KYC

    async def profile(self, identity: str) -> Profile:
        return Profile.from_json(await self._t.rest.request("GET", f"{API}/me", identity=identity))

    async def submit_kyc(self, identity: str, application: KycApplication) -> KycResult:
        """Identity verification; KycRejected (with `reason`) when the bank refuses it."""
        data = await self._t.rest.request(
            "POST", f"{API}/me/kyc", json=application.to_api(), identity=identity
        )
        return KycResult.from_json(data)
