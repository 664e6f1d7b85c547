"""Calling Rasa's HTTP API without a secret in any URL.

Rasa runs with `--jwt-secret` (given inside the process by assistant/rasa_main.py from
`RASA_JWT_SECRET`, never on its command line) and no `--auth-token`, so its `?token=` query
parameter is not accepted at all. Callers (the action server's proactive messages, the tests,
scripts) send `Authorization: Bearer <JWT>`: HS256-signed with the shared secret, valid for a
minute, with Rasa's claim layout (`requires_auth` in rasa/server.py reads `user.role`: "admin"
may use every conversation, "user" only the one named by `user.username`).

The secret itself never travels: only a short-lived signature, in a header (headers are not in
access logs or httpx's INFO line, which prints the URL).
"""

from __future__ import annotations

import os
import time

import jwt

SECRET_ENV = "RASA_JWT_SECRET"
DEV_SECRET = "dev-rasa-jwt-secret-0123456789abcdef"
ALGORITHM = "HS256"
TOKEN_TTL_SECONDS = 60


def jwt_secret() -> str:
    return os.environ.get(SECRET_ENV) or DEV_SECRET


def api_token(
    secret: str | None = None,
    *,
    username: str = "assistant",
    role: str = "admin",
    ttl_seconds: int = TOKEN_TTL_SECONDS,
    now: float | None = None,
) -> str:
    """A JWT Rasa accepts: `{"user": {"username", "role"}, "iat", "exp"}`."""
    issued = int(time.time() if now is None else now)
    claims = {
        "user": {"username": username, "role": role},
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode(claims, secret or jwt_secret(), algorithm=ALGORITHM)


def api_headers(secret: str | None = None, **kwargs) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(secret, **kwargs)}"}
