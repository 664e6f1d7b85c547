"""The sandbox's API contract, in one place: the error body every JSON route answers with, the
statuses each route declares, the credentials (security schemes) and the shapes of common
fields. The OpenAPI document (/openapi.json) is what a tool checks: tests/corebank/contract/
runs schemathesis against a live sandbox, so what is written here must be what the routes do.

- Every error is `{"error": {"code", "message", ...}}` (corebank/core/errors.py); `errors(...)`
  declares it for the statuses a route can answer (with what each means).
- Credentials are declared as security schemes, not as header parameters: OAuth2 client
  credentials bearer tokens (`bankToken`), the sandbox admin header (`sandboxAdmin`) and the
  messenger identity header (`messengerIdentity`) the /me routes need.
- Pydantic 1 writes an Optional field as its plain type; `ContractModel` adds the `null` the
  route really returns (OpenAPI 3.1: `anyOf: [..., {"type": "null"}]`).
"""

from __future__ import annotations

from typing import Any, Union

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, StrictFloat, StrictInt, constr

# The shapes the services check, as types and patterns a client (and schemathesis) can read.
# Amounts and currencies are checked by value in the service, each with its own error code
# (`invalid_amount`, `unknown_currency`): any string (or number) is a well-formed amount.
Amount = Union[constr(strict=True, max_length=40), StrictInt, StrictFloat]  # noqa: UP007
AMOUNT_RULES = ("A decimal string like \"100.50\" (an integer, or a float that prints exactly, "
                "also works): more than 0, at most 1,000,000, at most 2 decimals; 422 "
                "invalid_amount otherwise.")
Currency = constr(strict=True, max_length=10)
CURRENCY_RULES = "UAH, USD or EUR (422 unknown_currency otherwise)."
CURRENCY_PATTERN = r"^(UAH|USD|EUR|uah|usd|eur)$"
IDENTITY_PATTERN = r"^[a-z][a-z0-9_-]{0,31}:[^\s]{1,160}$"
# Printable ASCII, no space at either end, at most 200 characters (core/idempotency.py).
IDEMPOTENCY_KEY = constr(regex=r"^[!-~]([ -~]{0,198}[!-~])?$")


def _nullable(schema: dict[str, Any], model: type[BaseModel]) -> None:
    for field in model.__fields__.values():
        prop = schema.get("properties", {}).get(field.alias)
        if prop is None or not field.allow_none or "anyOf" in prop and any(
                p.get("type") == "null" for p in prop["anyOf"]):
            continue
        inner = {k: v for k, v in prop.items() if k not in ("title", "description", "default")}
        outer = {k: v for k, v in prop.items() if k in ("title", "description", "default")}
        schema["properties"][field.alias] = {**outer, "anyOf": [inner, {"type": "null"}]}


class ContractModel(BaseModel):
    """Base of request/response models: fields that may be null say so in the schema."""

    class Config:
        schema_extra = staticmethod(_nullable)


def one_of_required(*names: str):
    """schema_extra: at least one of `names` is required (and nullable fields stay nullable)."""

    def extra(schema: dict[str, Any], model: type[BaseModel]) -> None:
        _nullable(schema, model)
        schema["anyOf"] = [{"required": [name], "properties": {name: {"not": {"type": "null"}}}}
                           for name in names]

    return staticmethod(extra)


class ErrorDetail(ContractModel):
    code: str
    message: str

    class Config:
        extra = "allow"  # e.g. field, attempts_left, retry_after, reason, fields
        schema_extra = staticmethod(_nullable)


class ErrorBody(ContractModel):
    error: ErrorDetail


STATUS_MEANING = {
    400: "Malformed request: a body that is not JSON, a missing or malformed header "
         "(X-Messenger-Identity, Idempotency-Key); `text/plain` from the HTTP server for a "
         "request that is not valid HTTP.",
    401: "No valid credential, or (on /me routes) no logged-in session for the identity "
         "(`login_required`, `session_expired`); a wrong one-time code (`otp_invalid`).",
    403: "The credential lacks the scope or right (`forbidden`), or a step-up code is needed "
         "(`otp_required`, `kyc_required`).",
    404: "No such resource (or not the caller's).",
    409: "The state forbids it: card blocked, insufficient funds, limit exceeded, already used, "
         "idempotency key reused with another body.",
    410: "The one-time code expired.",
    422: "A field is missing, of the wrong type or out of range (`invalid_request`, "
         "`invalid_amount`, `unknown_currency`, `invalid_card_number`, ...).",
    429: "Too many attempts or sends (`otp_locked`, `otp_rate_limited`).",
}


# A request that is not even valid HTTP (a header with control characters, ...) is answered by
# the HTTP server itself, before the application, with a plain-text 400.
PLAIN_TEXT = {"text/plain": {"schema": {"type": "string"}}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    declared: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        declared[status] = {"model": ErrorBody, "description": STATUS_MEANING[status]}
        if status == 400:
            declared[status]["content"] = PLAIN_TEXT
    return declared


def merge(*parts: dict) -> dict:
    merged: dict = {}
    for part in parts:
        merged.update(part)
    return merged


TOKEN_ERRORS = errors(400, 401, 403, 422)
SESSION_ERRORS = errors(400, 401, 403, 422)

SECURITY_SCHEMES = {
    "bankToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                  "description": "An OAuth2 client-credentials access token from "
                                 "/realms/{realm}/protocol/openid-connect/token."},
    "sandboxAdmin": {"type": "apiKey", "in": "header", "name": "X-Sandbox-Token",
                     "description": "The sandbox's own admin credential (SANDBOX_ADMIN_TOKEN)."},
    "messengerIdentity": {"type": "apiKey", "in": "header", "name": "X-Messenger-Identity",
                          "description": "`<channel>:<user id>` of a chat with a logged-in "
                                         "session (POST /api/v1/auth/otp, then verify)."},
}


def _security_for(path: str) -> list[dict] | None:
    if path.startswith("/sandbox"):
        return [{"sandboxAdmin": []}]
    if path.startswith("/api/v1/me"):
        return [{"bankToken": [], "messengerIdentity": []}]
    if path.startswith("/api/v1"):
        return [{"bankToken": []}]
    return None


def install(app: FastAPI, extra_paths: dict | None = None) -> None:
    """`app.openapi()` with the security schemes, per-route security and `extra_paths` (the
    SOAP endpoint's XML request and faults, which FastAPI cannot infer)."""

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        for path, operations in schema.get("paths", {}).items():
            security = _security_for(path)
            for operation in operations.values():
                if security:
                    operation["security"] = security
        for path, operations in (extra_paths or {}).items():
            for method, extra in operations.items():
                schema["paths"].setdefault(path, {}).setdefault(method, {}).update(extra)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
