"""Typed bank errors and the handlers that render them as `{"error": {"code", "message", ...}}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("corebank.errors")

# Default HTTP status per code (docs/architecture.md); BankError(status=...) overrides.
DEFAULT_STATUS: dict[str, int] = {
    "invalid_request": 422,
    "no_account": 422,
    "invalid_phone": 422,
    "unknown_purpose": 422,
    "step_up_terms_required": 422,
    "same_account": 422,
    "invalid_address": 422,
    "implausible_date": 422,
    "secret_expired": 422,
    "currency_mismatch": 422,
    "invalid_amount": 422,
    "unknown_currency": 422,
    "unauthorized": 401,
    "forbidden": 403,
    "login_required": 401,
    "session_expired": 401,
    "not_found": 404,
    "invalid_card_number": 422,
    "card_not_found": 404,
    "card_blocked": 409,
    "card_frozen": 409,
    "own_card": 422,
    "insufficient_funds": 409,
    "limit_exceeded": 409,
    "otp_invalid": 401,
    "otp_expired": 410,
    "otp_locked": 429,
    "otp_rate_limited": 429,
    "otp_required": 403,
    "idempotency_conflict": 409,
    "idempotency_key_required": 400,
    "kyc_rejected": 422,
    "already_has_card": 409,
    "bank_unavailable": 503,
    "internal_error": 500,
}


class BankError(Exception):
    """A failure the client can act on. `extra` keys are added to the error object
    (e.g. `attempts_left`, `retry_after`, `reason`)."""

    def __init__(self, code: str, message: str, status: int | None = None, **extra: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or DEFAULT_STATUS.get(code, 400)
        self.extra = extra

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


def error_response(code: str, message: str, status: int, headers=None, **extra) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, **extra}}, status_code=status,
        headers=headers,
    )


async def _bank_error(_request: Request, exc: BankError) -> JSONResponse:
    headers = None
    if exc.status == 401 and exc.code == "unauthorized":
        headers = {"WWW-Authenticate": "Bearer"}
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def _describe(errors: list[dict]) -> list[dict]:
    return [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e["msg"]}
        for e in errors
    ]


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "value_error.jsondecode" for e in errors):
        return error_response("invalid_request", "The request body is not valid JSON.", 400)
    if all(e.get("loc", ("",))[0] == "header" for e in errors):
        return error_response(  # a missing or malformed header: a malformed request
            "invalid_request", "A required header is missing or malformed.", 400,
            fields=_describe(errors),
        )
    return error_response(
        "invalid_request", "The request is missing fields or has wrong types.", 422,
        fields=_describe(errors),
    )


_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "invalid_request"}


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "invalid_request")
    if exc.status_code >= 500:
        code = "internal_error"
    return error_response(code, str(exc.detail), exc.status_code, headers=exc.headers)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error: %s", type(exc).__name__)
    return error_response("internal_error", "Something went wrong on the bank side.", 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BankError, _bank_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
