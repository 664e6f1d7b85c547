"""Caller credentials of the REST and socket.io channels (docs/security.md, "Identity").

A conversation's identity comes only from a channel that verified it. For REST and socket.io
the caller proves it with a short-lived JWT (HS256) that *names the conversation*:

    {"iss": "<client id>", "sub": "<sender / session id>", "exp": <unix time>, "iat": ...}

- REST: `Authorization: Bearer <jwt>` signed with the secret of client `iss` (credentials.yml
  `clients: {<id>: <secret>}`); the sender is `sub`, never the body's choice.
- socket.io: the `auth={"token": <jwt>}` of the connection, signed with `jwt_key` (Rasa's own
  option); the session id is `sub`.

A client holding a secret mints tokens for its own users (`mint_token`); the secret never leaves
the client's server. Secrets shorter than `MIN_SECRET_CHARS` count as absent (channel off).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from typing import Any

import jwt

ALGORITHM = "HS256"
MIN_SECRET_CHARS = 16
MAX_LIFETIME_SECONDS = 24 * 3600
LEEWAY_SECONDS = 30


class Unauthorized(Exception):
    """No credential, or one that does not verify (401)."""


class Forbidden(Exception):
    """A valid credential asking for something it does not cover (403)."""


def usable_secret(secret: Any) -> str | None:
    if isinstance(secret, str) and len(secret.strip()) >= MIN_SECRET_CHARS:
        return secret.strip()
    return None


def client_secrets(clients: Any) -> dict[str, str]:
    """`{client id: secret}` from credentials.yml, without disabled (empty/short) secrets."""
    if not isinstance(clients, Mapping):
        return {}
    return {
        str(name): secret
        for name, raw in clients.items()
        if (secret := usable_secret(raw)) is not None
    }


def mint_token(client: str, secret: str, subject: str, ttl_seconds: int = 3600) -> str:
    """A token for `subject` (the sender or session id), as a client's server issues it."""
    now = int(time.time())
    claims = {"iss": client, "sub": subject, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _decode(token: str, secret: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            # Without `iat` a token's lifetime cannot be checked: refused, not trusted forever.
            options={"require": ["exp", "iat", "sub"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid token ({type(exc).__name__})") from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthorized("the token names no sender")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (iat, exp)):
        raise Unauthorized("iat and exp must be numbers")
    if exp - iat > MAX_LIFETIME_SECONDS:
        raise Unauthorized("token lifetime too long")
    return claims


def verify_client_token(authorization: str | None, clients: Mapping[str, str]) -> dict[str, Any]:
    """The claims of a REST caller's `Authorization: Bearer` token. Raises Unauthorized."""
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("missing bearer token")
    token = authorization[len("Bearer ") :].strip()
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as exc:
        raise Unauthorized("malformed token") from exc
    secret = None
    for name, candidate in clients.items():
        if isinstance(issuer, str) and hmac.compare_digest(name.encode(), issuer.encode()):
            secret = candidate
    if secret is None:
        raise Unauthorized("unknown client")
    return _decode(token, secret)


def verify_session_token(token: Any, key: str) -> dict[str, Any]:
    """The claims of a socket.io connection's token. Raises Unauthorized."""
    if not isinstance(token, str) or not token:
        raise Unauthorized("missing token")
    return _decode(token.removeprefix("Bearer ").strip(), key)
