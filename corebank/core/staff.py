"""The bank's staff directory and their sign-in (OIDC authorization code + PKCE), sandbox side.

People sign in to the bank's internal tools (the responses editor) the way they would at a
Keycloak: the tool sends the browser to `/realms/<realm>/protocol/openid-connect/auth`, the
person signs in here, and the tool exchanges the one-time code for tokens at the token endpoint
(`grant_type=authorization_code`, its client secret and the PKCE verifier). The access token
carries the person's roles Keycloak's way (`realm_access.roles`).

The sandbox's staff come from the environment (SANDBOX_STAFF_USERS: `user:role[+role],...`,
one sandbox password SANDBOX_STAFF_PASSWORD); a real bank points the tools at its own IdP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt

from corebank.core import keys
from corebank.core.db import new_id
from corebank.core.settings import get_settings

DEFAULT_STAFF = "dana:designer,denys:designer,rita:reviewer,roman:reviewer"
DEV_STAFF_PASSWORD = "dev-staff-password"
CODE_TTL_SECONDS = 60
STAFF_TOKEN_TTL_SECONDS = 900
_USED_CODES: dict[str, float] = {}  # jti -> expiry: a code works once


@dataclass(frozen=True)
class StaffClient:
    client_id: str
    secret: str
    redirect_uris: tuple[str, ...]


def staff_users() -> dict[str, tuple[str, ...]]:
    users: dict[str, tuple[str, ...]] = {}
    for entry in os.environ.get("SANDBOX_STAFF_USERS", DEFAULT_STAFF).split(","):
        name, _, roles = entry.strip().partition(":")
        if name:
            users[name] = tuple(r for r in roles.split("+") if r)
    return users


def check_password(username: str, password: str) -> tuple[str, ...] | None:
    """The person's roles when the password is right, else None (same time either way)."""
    expected = os.environ.get("SANDBOX_STAFF_PASSWORD") or DEV_STAFF_PASSWORD
    ok = hmac.compare_digest(password.encode(), expected.encode())
    roles = staff_users().get(username)
    return roles if ok and roles is not None else None


def staff_clients() -> dict[str, StaffClient]:
    """The tools staff sign in to: the responses editor (RESPONSES_OIDC_CLIENT_SECRET)."""
    client_id = os.environ.get("RESPONSES_OIDC_CLIENT_ID") or "responses-editor"
    secret = os.environ.get("RESPONSES_OIDC_CLIENT_SECRET") or "dev-responses-oidc-secret"
    extra = tuple(u for u in os.environ.get("RESPONSES_OIDC_REDIRECT_URIS", "").split() if u)
    return {client_id: StaffClient(client_id, secret, extra)}


def redirect_allowed(client: StaffClient, redirect_uri: str) -> bool:
    """Registered URIs, or a loopback one on any port (RFC 8252 §7.3: the sandbox and its tools
    run on loopback with ports picked at start) whose path is the tool's callback."""
    if redirect_uri in client.redirect_uris:
        return True
    parts = urlsplit(redirect_uri)
    return (
        parts.scheme == "http"
        and parts.hostname in ("127.0.0.1", "localhost")
        and parts.path == "/auth/callback"
        and not parts.query
        and not parts.fragment
    )


def issue_code(client_id: str, redirect_uri: str, username: str, roles: tuple[str, ...],
               code_challenge: str, nonce: str | None) -> str:
    now = int(time.time())
    claims = {"iss": get_settings().issuer, "aud": "authorization-code", "azp": client_id,
              "sub": username, "roles": list(roles), "redirect_uri": redirect_uri,
              "code_challenge": code_challenge, "nonce": nonce, "iat": now,
              "exp": now + CODE_TTL_SECONDS, "jti": new_id("", 20)}
    return jwt.encode(claims, keys.jwt_private_key(), algorithm="RS256",
                      headers={"kid": keys.jwk()["kid"]})


def pkce_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(computed, challenge)


def redeem_code(code: str, client_id: str, redirect_uri: str, verifier: str) -> dict | None:
    """The code's claims if it is genuine, fresh, unused, for this client, URI and verifier."""
    try:
        claims = jwt.decode(code, keys.jwt_public_key(), algorithms=["RS256"],
                            audience="authorization-code", issuer=get_settings().issuer)
    except jwt.PyJWTError:
        return None
    now = time.time()
    for jti, expiry in list(_USED_CODES.items()):
        if expiry < now:
            _USED_CODES.pop(jti, None)
    if claims["jti"] in _USED_CODES:
        return None
    if claims["azp"] != client_id or claims["redirect_uri"] != redirect_uri:
        return None
    if not verifier or not pkce_matches(verifier, claims["code_challenge"]):
        return None
    _USED_CODES[claims["jti"]] = claims["exp"]
    return claims


def issue_staff_tokens(client_id: str, username: str, roles: list[str],
                       nonce: str | None) -> dict:
    settings = get_settings()
    now = int(time.time())
    common = {"iss": settings.issuer, "aud": client_id, "azp": client_id, "sub": username,
              "preferred_username": username, "iat": now, "exp": now + STAFF_TOKEN_TTL_SECONDS}
    headers = {"kid": keys.jwk()["kid"]}
    access = jwt.encode({**common, "typ": "Bearer", "jti": new_id("", 20),
                         "realm_access": {"roles": roles}},
                        keys.jwt_private_key(), algorithm="RS256", headers=headers)
    id_token = jwt.encode({**common, "typ": "ID", **({"nonce": nonce} if nonce else {}),
                           "realm_access": {"roles": roles}},
                          keys.jwt_private_key(), algorithm="RS256", headers=headers)
    return {"access_token": access, "id_token": id_token, "expires_in": STAFF_TOKEN_TTL_SECONDS,
            "refresh_expires_in": 0, "token_type": "Bearer", "not-before-policy": 0,
            "scope": "openid profile"}
