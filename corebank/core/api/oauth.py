"""Keycloak-compatible OAuth2 endpoints: client-credentials token, JWKS, discovery.

Errors here follow OAuth2/Keycloak (`{"error": "invalid_client", "error_description": ...}`),
not the bank error shape, because clients use standard OAuth2 libraries against it.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from corebank.core import keys
from corebank.core.auth import issue_token
from corebank.core.contract import PLAIN_TEXT, ContractModel, ErrorBody
from corebank.core.settings import get_settings

router = APIRouter(tags=["oauth"])


class OAuthError(ContractModel):
    error: str
    error_description: str | None = None


class TokenOut(ContractModel):
    access_token: str
    expires_in: int
    refresh_expires_in: int
    token_type: str
    scope: str

    class Config:
        extra = "allow"  # not-before-policy


class Jwks(ContractModel):
    keys: list[dict]


class Discovery(ContractModel):
    issuer: str
    token_endpoint: str
    jwks_uri: str

    class Config:
        extra = "allow"


NO_REALM = {404: {"model": OAuthError, "description": "No such realm."},
            422: {"model": ErrorBody, "description": "A malformed path."}}
TOKEN_FORM = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "required": ["grant_type"],
            "properties": {
                "grant_type": {"type": "string", "enum": ["client_credentials"]},
                "client_id": {"type": "string"},
                "client_secret": {"type": "string"},
                "scope": {"type": "string", "description": "Space-separated; empty = the "
                          "client's allow-list."},
            },
        }}},
    },
}


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={"Cache-Control": "no-store"})


def _check_realm(realm: str) -> JSONResponse | None:
    if realm != get_settings().realm:
        return JSONResponse({"error": "Realm does not exist"}, status_code=404)
    return None


@router.post("/realms/{realm}/protocol/openid-connect/token", openapi_extra=TOKEN_FORM,
             responses={
                 200: {"model": TokenOut, "description": "An access token."},
                 400: {"model": OAuthError, "content": PLAIN_TEXT,
                       "description": "invalid_request, unsupported_grant_type, invalid_scope "
                                      "(OAuth2 error shape); text/plain: not valid HTTP."},
                 401: {"model": OAuthError, "description": "invalid_client."},
                 **NO_REALM})
async def token(realm: str, request: Request):
    if (missing := _check_realm(realm)) is not None:
        return missing
    settings = get_settings()
    try:
        form = await request.form()
    except Exception:  # not form-encoded at all
        return _oauth_error("invalid_request", "Expected an application/x-www-form-urlencoded body")
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic ") and not client_id:  # client_secret_basic
        import base64

        try:
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        except Exception:
            return _oauth_error("invalid_client", "Invalid client credentials", 401)
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "Only client_credentials is supported")
    registered = settings.clients.get(client_id) if isinstance(client_id, str) else None
    expected_secret, allowed = registered or ("", ())
    ok = (
        registered is not None and isinstance(client_secret, str)
        and hmac.compare_digest(client_secret.encode(), expected_secret.encode())
    )
    if not ok:
        return _oauth_error("invalid_client", "Invalid client or Invalid client credentials", 401)
    requested = str(form.get("scope") or "").split()
    requested = [s for s in requested if s not in ("openid", "profile", "email")]
    unknown = [s for s in requested if s not in settings.scopes]
    if unknown:
        return _oauth_error("invalid_scope", f"Invalid scopes: {' '.join(unknown)}")
    # Least privilege: a client gets only scopes on its allow-list, and asking for none
    # means its allow-list (never every scope the bank knows).
    refused = [s for s in requested if s not in allowed]
    if refused:
        return _oauth_error("invalid_scope",
                            f"Scopes not allowed for this client: {' '.join(refused)}")
    scopes = list(dict.fromkeys(requested)) or list(allowed)
    access_token, expires_in = issue_token(client_id, scopes)
    return JSONResponse(
        {
            "access_token": access_token,
            "expires_in": expires_in,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": " ".join(scopes),
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@router.get("/realms/{realm}/protocol/openid-connect/certs", response_model=Jwks,
            responses=NO_REALM)
def certs(realm: str):
    if (missing := _check_realm(realm)) is not None:
        return missing
    return {"keys": [keys.jwk()]}


@router.get("/realms/{realm}/.well-known/openid-configuration", response_model=Discovery,
            responses=NO_REALM)
def discovery(realm: str):
    if (missing := _check_realm(realm)) is not None:
        return missing
    issuer = get_settings().issuer
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/protocol/openid-connect/token",
        "jwks_uri": f"{issuer}/protocol/openid-connect/certs",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": list(get_settings().scopes),
        "response_types_supported": ["token"],
    }
