"""Typed bank errors, the single map from the bank's error codes to them, and customer wording.

Both backends (REST JSON errors and SOAP faults) carry the same machine codes
(docs/architecture.md), so one table serves both.
"""

from __future__ import annotations

import math
from typing import Any


class BankError(Exception):
    """Any error reported by (or about) a bank backend."""

    default_code = "bank_error"

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message or self.code
        self.status = status
        self.details = dict(details or {})
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r})"


class InvalidRequest(BankError):
    default_code = "invalid_request"


class InvalidAmount(InvalidRequest):
    default_code = "invalid_amount"


class Unauthorized(BankError):
    """Our own credentials were refused (client token, scope, SOAP login), not the customer."""

    default_code = "unauthorized"


class LoginRequired(BankError):
    """The messenger identity has no bank session: the customer must log in (phone + OTP)."""

    default_code = "login_required"


class SessionExpired(LoginRequired):
    default_code = "session_expired"


class NotFound(BankError):
    default_code = "not_found"


class InvalidCard(BankError):
    default_code = "invalid_card_number"


class CardBlocked(BankError):
    default_code = "card_blocked"

    @property
    def frozen(self) -> bool:
        """Temporarily locked by its owner (can be unlocked), as opposed to permanently blocked."""
        return self.code == "card_frozen"


class CardFrozen(CardBlocked):
    """The customer's own card on the paying account is frozen (locked by its owner): nothing
    is debited from that account until it is unfrozen. `masked` names the card."""

    default_code = "card_frozen"

    @property
    def masked(self) -> str | None:
        value = self.details.get("masked")
        return value if isinstance(value, str) else None


class OwnCard(BankError):
    default_code = "own_card"


class InsufficientFunds(BankError):
    default_code = "insufficient_funds"


class LimitExceeded(BankError):
    default_code = "limit_exceeded"


class OtpInvalid(BankError):
    default_code = "otp_invalid"

    @property
    def attempts_left(self) -> int | None:
        return _int_or_none(self.details.get("attempts_left"))


class OtpExpired(BankError):
    default_code = "otp_expired"


class OtpLocked(BankError):
    default_code = "otp_locked"

    @property
    def retry_after(self) -> int | None:
        """Seconds until the phone may ask for a code again."""
        return _int_or_none(self.details.get("retry_after"))


class OtpRateLimited(OtpLocked):
    """Too many codes were sent (to this phone, or from this chat) in the bank's window."""

    default_code = "otp_rate_limited"


class OtpRequired(BankError):
    default_code = "otp_required"


class KycRejected(BankError):
    default_code = "kyc_rejected"

    @property
    def reason(self) -> str | None:
        return self.details.get("reason")


class KycRequired(BankError):
    """The Digital Tariff Card (and what needs it) requires identity verification first."""

    default_code = "kyc_required"


class TariffRequired(BankError):
    """A plastic card (and similar extras) comes only with the Digital Tariff Card."""

    default_code = "tariff_required"


class AlreadyHasCard(BankError):
    default_code = "already_has_card"


class IdempotencyConflict(BankError):
    default_code = "idempotency_conflict"


class BankUnavailable(BankError):
    """Timeout, connection failure or 5xx: the operation's outcome is unknown or it did not run."""

    default_code = "bank_unavailable"


class InvalidResponse(BankUnavailable):
    """The bank answered with something we refuse to trust (malformed or hostile XML/JSON)."""

    default_code = "invalid_response"


ERROR_CODES: dict[str, type[BankError]] = {
    "invalid_request": InvalidRequest,
    # A well-formed request the customer's accounts cannot serve (field: currency).
    "no_account": InvalidRequest,
    "currency_mismatch": InvalidRequest,
    "invalid_phone": InvalidRequest,
    "unknown_purpose": InvalidRequest,  # a step-up for an operation the bank does not know
    "step_up_terms_required": InvalidRequest,
    "implausible_date": InvalidRequest,
    "secret_expired": InvalidRequest,
    "invalid_address": InvalidRequest,
    "invalid_amount": InvalidAmount,
    "unknown_currency": InvalidAmount,
    "unauthorized": Unauthorized,
    "forbidden": Unauthorized,
    "login_required": LoginRequired,
    "session_expired": SessionExpired,
    "not_found": NotFound,
    "card_not_found": NotFound,
    "invalid_card_number": InvalidCard,
    "card_blocked": CardBlocked,
    "card_frozen": CardFrozen,
    "own_card": OwnCard,
    "insufficient_funds": InsufficientFunds,
    "limit_exceeded": LimitExceeded,
    "otp_invalid": OtpInvalid,
    "otp_expired": OtpExpired,
    "otp_locked": OtpLocked,
    "otp_rate_limited": OtpRateLimited,
    "otp_required": OtpRequired,
    "idempotency_conflict": IdempotencyConflict,
    "kyc_rejected": KycRejected,
    "already_has_card": AlreadyHasCard,
    "kyc_required": KycRequired,
    "tariff_required": TariffRequired,
    "bank_unavailable": BankUnavailable,
    "internal_error": BankUnavailable,
    "invalid_response": InvalidResponse,
}


def error_from_code(
    code: str | None,
    message: str = "",
    *,
    status: int | None = None,
    details: dict[str, Any] | None = None,
) -> BankError:
    """Build the typed error for a bank error code (unknown codes fall back on the HTTP status)."""
    cls = ERROR_CODES.get(code or "")
    if cls is None:
        if status is not None and status >= 500:
            cls = BankUnavailable
        elif status == 404:
            cls = NotFound
        elif status in (400, 422):
            cls = InvalidRequest
        else:
            cls = BankError
    return cls(message, code=code or cls.default_code, status=status, details=details)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_KYC_REASONS = {
    "underage": "You need to be at least 18 to get the Digital Tariff Card.",
    "document_expired": "Your passport has expired, so we can't verify you with it.",
    "blocklisted": "We can't verify you in the chat. Please visit a branch or call the bank.",
    "invalid_document": "The passport details don't look right. Please check them and try again.",
}

_MESSAGES: dict[type[BankError], str] = {
    InvalidAmount: "That amount doesn't work: use a positive amount with at most 2 decimals.",
    InvalidRequest: "Something in that request doesn't look right. Please check it and try again.",
    Unauthorized: "I can't reach your bank account right now. Please try again in a few minutes.",
    SessionExpired: "Your session has expired for your security. Please log in again.",
    LoginRequired: "Please log in first: I'll send a one-time code to your phone.",
    NotFound: "I couldn't find that. Please check the details and try again.",
    InvalidCard: "That card number isn't valid. Please check it and send it again.",
    OwnCard: "That's your own card. Please send money to a different card.",
    InsufficientFunds: "There isn't enough money on your card for that.",
    LimitExceeded: "That's over your limit. Please try a smaller amount.",
    OtpExpired: "That code has expired. I'll send you a new one.",
    OtpRequired: "For your security this needs a confirmation code sent to your phone.",
    AlreadyHasCard: "You already have this card.",
    KycRequired: "The Digital Tariff Card needs a quick identity check first.",
    TariffRequired: "A plastic card comes with the Digital Tariff Card.",
    IdempotencyConflict: (
        "That looks like a repeat of an earlier request with different details. "
        "Please start again."
    ),
    InvalidResponse: (
        "The bank sent an answer I couldn't read. Nothing was changed; please try again later."
    ),
    BankUnavailable: (
        "The bank isn't responding right now. Please try again in a few minutes."
    ),
}


def user_message(err: BaseException) -> str:
    """One clear, customer-facing English sentence for any error (no internals, no secrets)."""
    if isinstance(err, CardFrozen):
        card = f"Your card {err.masked}" if err.masked else "Your card"
        return (f"{card} is frozen, so no money can leave your account until you unfreeze it "
                "(just say \"unfreeze my card\").")
    if isinstance(err, CardBlocked):
        if err.frozen:
            return "That card is locked at the moment. Unlock it first, or use another card."
        return "That card is blocked and can't be used."
    if isinstance(err, OtpInvalid):
        left = err.attempts_left
        if left is None:
            return "That code isn't right. Please try again."
        if left <= 0:
            return "That code isn't right, and there are no attempts left."
        return f"That code isn't right. You have {left} attempt{'s' if left != 1 else ''} left."
    if isinstance(err, OtpRateLimited):
        minutes = max(1, math.ceil((err.retry_after or 60) / 60))
        return (
            "I've sent too many codes in a short time. For your security, please ask for a "
            f"new one in {minutes} minute{'s' if minutes != 1 else ''}."
        )
    if isinstance(err, OtpLocked):
        seconds = err.retry_after
        if not seconds:
            return "Too many wrong codes. For your security, please try again later."
        minutes = max(1, math.ceil(seconds / 60))
        return (
            "Too many wrong codes. For your security, please try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}."
        )
    if isinstance(err, KycRejected):
        return _KYC_REASONS.get(
            err.reason or "", "We couldn't verify your details, so we can't open that card."
        )
    for cls in type(err).__mro__:
        if cls in _MESSAGES:
            return _MESSAGES[cls]
    return "Something went wrong on our side. Please try again in a few minutes."
