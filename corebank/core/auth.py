"""Bearer JWT checks and the messenger-identity session (the authorization zone).

FastAPI dependencies:
- `require_scope("payments")` -> validated claims (dict); 401 `unauthorized` for a missing,
  forged, expired, wrong-issuer or wrong-audience token; 403 `forbidden` without the scope.
- `current_customer` -> `CurrentCustomer` for the `X-Messenger-Identity` header's active
  session (also requires a valid token); refreshes the idle timer in its own short transaction;
  401 `login_required` / `session_expired`.
Helpers for the domains: `consume_step_up(session, customer_id, token, reference)`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import jwt
from fastapi import Depends, Header, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corebank.core import keys
from corebank.core.db import new_id, session_scope, utcnow
from corebank.core.errors import BankError
from corebank.core.models import Customer, MessengerSession, OtpChallenge
from corebank.core.settings import get_settings

AUDIENCE = "corebank-api"
IDENTITY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[^\s]{1,160}$")


# --- access tokens -------------------------------------------------------------------------

def issue_token(client_id: str, scopes: list[str]) -> tuple[str, int]:
    settings = get_settings()
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": AUDIENCE,
        "sub": f"service-account-{client_id}",
        "azp": client_id,
        "scope": " ".join(scopes),
        "iat": now,
        "nbf": now,
        "exp": now + settings.token_ttl_seconds,
        "jti": new_id("", 20),
        "typ": "Bearer",
    }
    token = jwt.encode(
        claims, keys.jwt_private_key(), algorithm="RS256", headers={"kid": keys.jwk()["kid"]}
    )
    return token, settings.token_ttl_seconds


_VERIFIED: dict[str, dict] = {}  # token -> claims; clients reuse a token for minutes
_VERIFIED_MAX = 2048


def decode_token(token: str) -> dict:
    claims = _VERIFIED.get(token)
    if claims is not None:
        if claims["exp"] > time.time():  # signature, iss and aud were checked on first sight
            return claims
        _VERIFIED.pop(token, None)
    claims = _decode(token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[token] = claims
    return claims


def _decode(token: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("kid") not in (None, keys.jwk()["kid"]):
            raise BankError("unauthorized", "The token was not issued by this bank.")
        return jwt.decode(
            token,
            keys.jwt_public_key(),
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=get_settings().issuer,
            options={"require": ["exp", "iss", "aud"]},
            leeway=0,
        )
    except jwt.ExpiredSignatureError as exc:
        raise BankError("unauthorized", "The access token has expired.", reason="expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise BankError("unauthorized", "The token is not for this API.",
                        reason="wrong_audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise BankError("unauthorized", "The token has the wrong issuer.",
                        reason="wrong_issuer") from exc
    except jwt.PyJWTError as exc:
        raise BankError("unauthorized", "The access token is not valid.",
                        reason="invalid_token") from exc


async def require_token(request: Request,
                        authorization: str | None = Header(None, include_in_schema=False)) -> dict:
    # async: pure CPU work, so it runs on the event loop instead of a threadpool hop
    if not authorization or not authorization.lower().startswith("bearer "):
        raise BankError("unauthorized", "A Bearer access token is required.",
                        reason="missing_token")
    claims = decode_token(authorization[7:].strip())
    request.state.claims = claims
    return claims


def require_scope(scope: str):
    """Dependency factory: a valid token carrying `scope` (space-separated `scope` claim)."""

    async def dependency(claims: dict = Depends(require_token)) -> dict:
        if scope not in str(claims.get("scope", "")).split():
            raise BankError("forbidden", f"The token lacks the '{scope}' scope.", scope=scope)
        return claims

    dependency.__name__ = f"require_scope_{scope}"
    return dependency


# --- messenger sessions --------------------------------------------------------------------

@dataclass(frozen=True)
class CurrentCustomer:
    customer_id: str
    identity: str
    session_id: str
    phone: str
    first_name: str | None
    last_name: str | None
    kyc_level: str
    session_expires_at: datetime


def validate_identity(identity: str | None) -> str:
    if not identity or not IDENTITY_RE.match(identity):
        raise BankError("invalid_request",
                        "X-Messenger-Identity must look like '<channel>:<user_id>'.", 400)
    return identity


def idle_delta() -> timedelta:
    return timedelta(seconds=get_settings().session_idle_seconds)


def start_session(session: Session, identity: str, customer_id: str) -> MessengerSession:
    """Open a session for identity (ending any previous one) inside the caller's transaction."""
    now = utcnow()
    session.execute(
        update(MessengerSession)
        .where(MessengerSession.identity == identity, MessengerSession.ended_at.is_(None))
        .values(ended_at=now, end_reason="replaced")
    )
    row = MessengerSession(id=new_id("ses_"), identity=identity, customer_id=customer_id,
                           created_at=now, last_seen_at=now)
    session.add(row)
    return row


def end_sessions(session: Session, identity: str, reason: str = "logout") -> int:
    result = session.execute(
        update(MessengerSession)
        .where(MessengerSession.identity == identity, MessengerSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return result.rowcount or 0


def resolve_session(session: Session, identity: str,
                    touch: bool = True) -> CurrentCustomer | BankError:
    """The customer behind identity's active session, refreshing its idle timer; or the
    BankError to raise (returned, not raised, so the caller can commit an idle expiry)."""
    latest = session.execute(
        select(MessengerSession)
        .where(MessengerSession.identity == identity)
        .order_by(MessengerSession.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    login = BankError("login_required", "Please log in with your phone number first.")
    expired = BankError("session_expired", "The session has expired; please log in again.")
    if latest is None:
        return login
    now = utcnow()
    if latest.ended_at is None and latest.last_seen_at + idle_delta() <= now:
        latest.ended_at, latest.end_reason = now, "expired"
        session.flush()
        return expired
    if latest.ended_at is not None:
        return expired if latest.end_reason == "expired" else login
    if touch:
        latest.last_seen_at = now
    customer = session.get(Customer, latest.customer_id)
    return CurrentCustomer(
        customer_id=customer.id,
        identity=identity,
        session_id=latest.id,
        phone=customer.phone,
        first_name=customer.first_name,
        last_name=customer.last_name,
        kyc_level=customer.kyc_level,
        session_expires_at=latest.last_seen_at + idle_delta(),
    )


def current_customer(
    _claims: dict = Depends(require_token),
    # Declared as the `messengerIdentity` security scheme (corebank/core/contract.py).
    x_messenger_identity: str | None = Header(None, include_in_schema=False),
) -> CurrentCustomer:
    identity = validate_identity(x_messenger_identity)
    # Own short transaction: the idle refresh (or the expiry) is recorded even when the
    # handler later fails, and it never holds the handler's locks.
    with session_scope() as session:
        outcome = resolve_session(session, identity)
    if isinstance(outcome, BankError):
        raise outcome
    return outcome


# --- step-up tokens ------------------------------------------------------------------------

def consume_step_up(session: Session, customer_id: str, token: str | None, reference: str,
                    purpose: str, amount: Decimal | None = None,
                    target: str | None = None) -> None:
    """Spend a step-up token: single use, and bound to the customer, to the operation
    (`purpose` and `reference`: a `card_pin` code never authorises a transfer) and to what the
    SMS said (`amount`, `target`, when the challenge recorded them). Raises 403 `otp_required`
    if missing, unknown, used, expired or for another operation. Call it in the same
    transaction as the operation it authorises."""
    if not token:
        raise BankError("otp_required", "This operation needs a one-time code.")
    challenge = session.execute(
        select(OtpChallenge)
        .where(OtpChallenge.step_up_token_hash == keys.keyed_hash("step_up", token))
        .with_for_update()
    ).scalar_one_or_none()
    now = utcnow()
    valid = (
        challenge is not None
        and challenge.customer_id == customer_id
        and challenge.step_up_used_at is None
        and challenge.consumed_at is not None
        and challenge.consumed_at + timedelta(seconds=get_settings().otp_ttl_seconds) > now
        and challenge.purpose == "step_up"
        and challenge.reference is not None and challenge.reference == reference
        and challenge.step_up_purpose == purpose
        and (challenge.step_up_amount is None
             or (amount is not None and Decimal(challenge.step_up_amount) == amount))
        and (challenge.step_up_target is None or challenge.step_up_target == target)
    )
    if not valid:
        raise BankError("otp_required", "The confirmation code is missing, used or expired.")
    challenge.step_up_used_at = now
    session.flush()
