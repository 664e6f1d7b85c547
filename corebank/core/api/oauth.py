"""Keycloak-compatible OAuth2 endpoints: client-credentials token, JWKS, discovery.

Errors here follow OAuth2/Keycloak (`{"error": "invalid_client", "error_description": ...}`),
not the bank error shape, because clients use standard OAuth2 libraries against it.
"""

from __future__ import annotations

import hmac
import html
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from corebank.core import keys, staff
from corebank.core.auth import issue_token
from corebank.core.contract import PLAIN_TEXT, ContractModel, ErrorBody
from corebank.core.html import Safe, error_block, message_page, page, read_form
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
                "grant_type": {"type": "string",
                               "enum": ["client_credentials", "authorization_code"]},
                "client_id": {"type": "string"},
                "client_secret": {"type": "string"},
                "scope": {"type": "string", "description": "Space-separated; empty = the "
                          "client's allow-list."},
                "code": {"type": "string"},
                "redirect_uri": {"type": "string"},
                "code_verifier": {"type": "string"},
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
    if form.get("grant_type") == "authorization_code":  # staff signing in to a bank tool
        return _authorization_code_grant(form, client_id, client_secret)
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type",
                            "Only client_credentials and authorization_code are supported")
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
        "authorization_endpoint": f"{issuer}/protocol/openid-connect/auth",
        "grant_types_supported": ["client_credentials", "authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": list(get_settings().scopes),
        "response_types_supported": ["token", "code"],
    }


# --- staff sign-in (authorization code + PKCE): corebank/core/staff.py -----------------------

def _authorization_code_grant(form, client_id, client_secret) -> JSONResponse:
    client = staff.staff_clients().get(client_id) if isinstance(client_id, str) else None
    if client is None or not isinstance(client_secret, str) or not hmac.compare_digest(
        client_secret.encode(), client.secret.encode()
    ):
        return _oauth_error("invalid_client", "Invalid client or Invalid client credentials", 401)
    claims = staff.redeem_code(str(form.get("code") or ""), client.client_id,
                               str(form.get("redirect_uri") or ""),
                               str(form.get("code_verifier") or ""))
    if claims is None:
        return _oauth_error("invalid_grant", "Code not valid")
    tokens = staff.issue_staff_tokens(client.client_id, claims["sub"], claims["roles"],
                                      claims.get("nonce"))
    return JSONResponse(tokens, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


SIGN_IN_FIELDS = ("client_id", "redirect_uri", "state", "code_challenge", "nonce")


def _sign_in_form(params: dict, error: str | None = None, status_code: int = 200):
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(str(params.get(name) or ""))}">'
        for name in SIGN_IN_FIELDS
    )
    body = Safe(
        '<h1>Staff sign-in</h1>' + str(error_block(error)) +
        '<form method="post">' + hidden +
        '<label for="username">User name</label>'
        '<input type="text" id="username" name="username" autocomplete="username" required>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" required>'
        '<button type="submit" id="sign-in">Sign in</button></form>'
    )
    answer = page("Staff sign-in", body, status_code=status_code)
    # The form posts here and is answered with a redirect to the tool's callback: browsers apply
    # form-action to that redirect too, so the (checked) callback's origin is allowed as well.
    target = urlsplit(str(params.get("redirect_uri") or ""))
    if target.scheme in ("http", "https") and target.netloc:
        answer.headers["Content-Security-Policy"] = answer.headers[
            "Content-Security-Policy"].replace(
            "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}")
    return answer


def _sign_in_request_error(params: dict) -> str | None:
    client = staff.staff_clients().get(str(params.get("client_id") or ""))
    if client is None:
        return "Unknown application."
    if not staff.redirect_allowed(client, str(params.get("redirect_uri") or "")):
        return "This application may not receive a sign-in at that address."
    challenge = str(params.get("code_challenge") or "")
    if not (43 <= len(challenge) <= 128) or params.get("code_challenge_method", "S256") != "S256":
        return "The application must use PKCE (S256)."
    if len(str(params.get("state") or "")) > 200 or len(str(params.get("nonce") or "")) > 200:
        return "The request is too long."
    return None


SIGN_IN_DOC = {200: {"content": {"text/html": {}}, "description": "The sign-in page."},
               400: {"content": {"text/html": {}}, "description": "A malformed request."},
               **NO_REALM}


@router.get("/realms/{realm}/protocol/openid-connect/auth", response_class=HTMLResponse,
            responses=SIGN_IN_DOC, include_in_schema=False)
async def sign_in_page(realm: str, request: Request):
    if (missing := _check_realm(realm)) is not None:
        return missing
    params = dict(request.query_params)
    if params.get("response_type") != "code":
        return message_page("Staff sign-in", "Cannot sign in", "Unsupported response type.",
                            status_code=400)
    if (problem := _sign_in_request_error(params)) is not None:
        return message_page("Staff sign-in", "Cannot sign in", problem, status_code=400)
    return _sign_in_form(params)


@router.post("/realms/{realm}/protocol/openid-connect/auth", response_class=HTMLResponse,
             responses=SIGN_IN_DOC, include_in_schema=False)
async def sign_in(realm: str, request: Request):
    if (missing := _check_realm(realm)) is not None:
        return missing
    form = await read_form(request)
    if (problem := _sign_in_request_error(form)) is not None:
        return message_page("Staff sign-in", "Cannot sign in", problem, status_code=400)
    roles = staff.check_password(form.get("username", ""), form.get("password", ""))
    if roles is None:
        return _sign_in_form(form, "Wrong user name or password.", status_code=401)
    code = staff.issue_code(form["client_id"], form["redirect_uri"], form["username"], roles,
                            form["code_challenge"], form.get("nonce") or None)
    query = urlencode({"code": code, "state": form.get("state", "")})
    return RedirectResponse(f"{form['redirect_uri']}?{query}", status_code=303,
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
