"""Who may do what: staff sign in through the bank's identity provider (OIDC authorization code +
PKCE against the sandbox's Keycloak-style realm); Rasa calls the NLG endpoint with a service token.

- Browser: /auth/login -> the IdP's sign-in page -> /auth/callback exchanges the code, checks
  the tokens' signature (the IdP's JWKS), issuer, audience and nonce, and keeps the person's name
  and roles in a signed, HttpOnly, SameSite=Strict session cookie with a CSRF token. Every
  state-changing call from the browser must echo that token in `X-CSRF-Token`.
- API clients: `Authorization: Bearer <access token from the IdP>` (no cookie, so no CSRF).
- Roles (the token's `realm_access.roles`): `designer` proposes and restores, `reviewer`
  approves or rejects; anything else is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field

import httpx
import jwt

ROLES = frozenset({"designer", "reviewer"})
SESSION_COOKIE = "rs_session"
LOGIN_COOKIE = "rs_login"
SESSION_SECONDS = 8 * 3600
LOGIN_SECONDS = 600
JWKS_SECONDS = 300
DEV_SESSION_KEY = "dev-responses-session-key"
DEV_SERVICE_TOKEN = "dev-responses-service-token"


class AuthError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset[str]
    csrf: str | None = None  # None: a bearer-token caller (no cookie, no CSRF risk)

    def require(self, role: str) -> None:
        if role not in self.roles:
            raise AuthError(403, "forbidden", f"This needs the {role} role")


@dataclass
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    public_url: str
    session_key: bytes
    service_token: str
    # Where this service itself reaches the realm (code exchange, JWKS) when that is not the
    # issuer's address, which the browsers use and the tokens carry: in the cluster, the sandbox
    # at http://corebank:8800/realms/bank behind https://sandbox.bank.example (deploy/k8s).
    backchannel: str = ""
    _jwks: dict = field(default_factory=dict)
    _jwks_at: float = 0.0

    @classmethod
    def from_env(cls, public_url: str) -> OidcSettings:
        bank = (os.environ.get("COREBANK_URL") or "http://127.0.0.1:8800").rstrip("/")
        realm = os.environ.get("COREBANK_REALM") or "bank"
        return cls(
            issuer=os.environ.get("RESPONSES_OIDC_ISSUER") or f"{bank}/realms/{realm}",
            client_id=os.environ.get("RESPONSES_OIDC_CLIENT_ID") or "responses-editor",
            client_secret=os.environ.get("RESPONSES_OIDC_CLIENT_SECRET")
            or "dev-responses-oidc-secret",
            public_url=public_url.rstrip("/"),
            session_key=(os.environ.get("RESPONSES_SESSION_KEY") or DEV_SESSION_KEY).encode(),
            service_token=os.environ.get("RESPONSES_SERVICE_TOKEN") or DEV_SERVICE_TOKEN,
            backchannel=(os.environ.get("RESPONSES_OIDC_BACKCHANNEL_URL") or "").rstrip("/"),
        )

    @property
    def realm_url(self) -> str:
        """The realm as this service reaches it (the issuer unless a back channel is set)."""
        return self.backchannel or self.issuer

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}/auth/callback"

    # --- signed cookies ------------------------------------------------------------------

    def sign(self, payload: dict) -> str:
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
        mac = hmac.new(self.session_key, body, hashlib.sha256).hexdigest()
        return f"{body.decode()}.{mac}"

    def unsign(self, value: str | None) -> dict | None:
        if not value or "." not in value:
            return None
        body, _, mac = value.rpartition(".")
        expected = hmac.new(self.session_key, body.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, expected):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body.encode()))
        except ValueError:
            return None
        if not isinstance(payload, dict) or payload.get("exp", 0) < time.time():
            return None
        return payload

    # --- the sign-in ---------------------------------------------------------------------

    def start_login(self) -> tuple[str, str]:
        """(URL of the IdP's sign-in page, the login cookie that remembers state/nonce/verifier)."""
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        from urllib.parse import urlencode

        query = urlencode({"response_type": "code", "client_id": self.client_id,
                           "redirect_uri": self.redirect_uri, "scope": "openid profile",
                           "state": state, "nonce": nonce, "code_challenge": challenge,
                           "code_challenge_method": "S256"})
        cookie = self.sign({"state": state, "nonce": nonce, "verifier": verifier,
                            "exp": time.time() + LOGIN_SECONDS})
        return f"{self.issuer}/protocol/openid-connect/auth?{query}", cookie

    async def finish_login(self, code: str, state: str, login_cookie: str | None) -> str:
        """The session cookie for the person who signed in (AuthError when anything is off)."""
        login = self.unsign(login_cookie)
        if login is None or not hmac.compare_digest(str(login.get("state")), state or ""):
            raise AuthError(400, "bad_state", "The sign-in expired or did not start here")
        async with httpx.AsyncClient(timeout=5.0) as client:
            answer = await client.post(f"{self.realm_url}/protocol/openid-connect/token", data={
                "grant_type": "authorization_code", "code": code,
                "redirect_uri": self.redirect_uri, "client_id": self.client_id,
                "client_secret": self.client_secret, "code_verifier": login["verifier"]})
        if answer.status_code != 200:
            raise AuthError(401, "sign_in_failed", "The identity provider refused the sign-in")
        tokens = answer.json()
        id_claims = await self.verify(tokens.get("id_token", ""))
        if id_claims.get("nonce") != login["nonce"]:
            raise AuthError(401, "sign_in_failed", "The sign-in answer was not for this request")
        user = self.user_from_claims(await self.verify(tokens.get("access_token", "")))
        return self.sign({"sub": user.name, "roles": sorted(user.roles),
                          "csrf": secrets.token_urlsafe(24), "exp": time.time() + SESSION_SECONDS})

    # --- tokens --------------------------------------------------------------------------

    async def _keys(self, refresh: bool = False) -> dict:
        if refresh or not self._jwks or time.monotonic() - self._jwks_at > JWKS_SECONDS:
            async with httpx.AsyncClient(timeout=5.0) as client:
                answer = await client.get(f"{self.realm_url}/protocol/openid-connect/certs")
            answer.raise_for_status()
            self._jwks = {k["kid"]: k for k in answer.json()["keys"]}
            self._jwks_at = time.monotonic()
        return self._jwks

    async def verify(self, token: str) -> dict:
        """Claims of a token the IdP signed for this client (AuthError otherwise)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            keys = await self._keys()
            if kid not in keys:
                keys = await self._keys(refresh=True)
            key = jwt.PyJWK(keys[kid]).key
            return jwt.decode(token, key, algorithms=["RS256"], audience=self.client_id,
                              issuer=self.issuer, options={"require": ["exp", "iss", "aud", "sub"]})
        except (jwt.PyJWTError, KeyError, httpx.HTTPError, ValueError) as exc:
            raise AuthError(401, "unauthorized", "A valid sign-in is needed") from exc

    @staticmethod
    def user_from_claims(claims: dict) -> User:
        roles = frozenset((claims.get("realm_access") or {}).get("roles") or ()) & ROLES
        if not roles:
            raise AuthError(403, "forbidden", "Neither a designer nor a reviewer")
        return User(str(claims.get("preferred_username") or claims["sub"]), roles)

    async def user(self, authorization: str | None, session_cookie: str | None,
                   method: str, csrf_header: str | None) -> User:
        """The caller, from a bearer token or the session cookie (+ CSRF on unsafe methods)."""
        if authorization and authorization.lower().startswith("bearer "):
            return self.user_from_claims(await self.verify(authorization[7:].strip()))
        session = self.unsign(session_cookie)
        if session is None:
            raise AuthError(401, "unauthorized", "Sign in first")
        user = User(session["sub"], frozenset(session["roles"]) & ROLES, session["csrf"])
        if method not in ("GET", "HEAD", "OPTIONS") and not hmac.compare_digest(
            csrf_header or "", user.csrf or ""
        ):
            raise AuthError(403, "csrf", "Missing or wrong X-CSRF-Token")
        return user

    def is_service(self, authorization: str | None) -> bool:
        """Rasa's calls to the NLG endpoint carry the service token."""
        expected = f"Bearer {self.service_token}"
        return bool(authorization) and hmac.compare_digest(authorization.encode(),
                                                           expected.encode())
