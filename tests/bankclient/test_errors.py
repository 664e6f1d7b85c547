import pytest

from bankclient import errors as e
from bankclient.money import parse_money_fields


@pytest.mark.parametrize(
    "code, cls",
    [
        ("insufficient_funds", e.InsufficientFunds),
        ("card_blocked", e.CardBlocked),
        ("card_frozen", e.CardFrozen),
        ("invalid_card_number", e.InvalidCard),
        ("own_card", e.OwnCard),
        ("limit_exceeded", e.LimitExceeded),
        ("not_found", e.NotFound),
        ("card_not_found", e.NotFound),
        ("unauthorized", e.Unauthorized),
        ("forbidden", e.Unauthorized),
        ("login_required", e.LoginRequired),
        ("session_expired", e.SessionExpired),
        ("otp_invalid", e.OtpInvalid),
        ("otp_expired", e.OtpExpired),
        ("otp_locked", e.OtpLocked),
        ("otp_required", e.OtpRequired),
        ("kyc_rejected", e.KycRejected),
        ("already_has_card", e.AlreadyHasCard),
        ("kyc_required", e.KycRequired),
        ("tariff_required", e.TariffRequired),
        ("invalid_request", e.InvalidRequest),
        ("invalid_amount", e.InvalidAmount),
        ("unknown_currency", e.InvalidAmount),
        ("idempotency_conflict", e.IdempotencyConflict),
        ("bank_unavailable", e.BankUnavailable),
        ("internal_error", e.BankUnavailable),
    ],
)
def test_every_contract_code_has_a_typed_error_and_a_sentence(code, cls):
    err = e.error_from_code(code, "x", status=400)
    assert type(err) is cls and err.code == code
    sentence = e.user_message(err)
    assert sentence.endswith(".") and code not in sentence


def test_error_details_are_typed():
    assert e.error_from_code("otp_invalid", details={"attempts_left": 2}).attempts_left == 2
    locked = e.error_from_code("otp_locked", details={"retry_after": 900})
    assert locked.retry_after == 900 and "15 minutes" in e.user_message(locked)
    assert "2 attempts" in e.user_message(e.OtpInvalid(details={"attempts_left": 2}))
    assert "1 attempt left" in e.user_message(e.OtpInvalid(details={"attempts_left": 1}))
    kyc = e.error_from_code("kyc_rejected", details={"reason": "underage"})
    assert kyc.reason == "underage" and "18" in e.user_message(kyc)
    frozen = e.error_from_code("card_frozen", details={"masked": "•••• 0035"})
    assert frozen.frozen and isinstance(frozen, e.CardBlocked) and frozen.masked == "•••• 0035"
    assert not e.error_from_code("card_blocked").frozen
    # The customer's own card, named, and how to undo it.
    assert "•••• 0035 is frozen" in e.user_message(frozen)
    assert "unfreeze" in e.user_message(e.error_from_code("card_frozen"))


def test_unknown_codes_fall_back_on_status():
    assert isinstance(e.error_from_code("weird", status=503), e.BankUnavailable)
    assert isinstance(e.error_from_code(None, status=404), e.NotFound)
    assert type(e.error_from_code("weird", status=418)) is e.BankError
    assert e.user_message(RuntimeError("boom")).startswith("Something went wrong")


def test_session_expired_is_a_login_required():
    assert isinstance(e.SessionExpired(), e.LoginRequired)


def test_money_fields_become_decimal_elsewhere_untouched():
    body = {
        "amount": "50.00",
        "limits": {"per_transfer": "1000.00", "daily_remaining": "900.00"},
        "items": [{"balance": "1.10", "id": "42"}],
        "receipt_no": "00012",
    }
    out = parse_money_fields(body)
    from decimal import Decimal

    assert out["amount"] == Decimal("50.00")
    assert out["limits"]["daily_remaining"] == Decimal("900.00")
    assert out["items"][0] == {"balance": Decimal("1.10"), "id": "42"}
    assert out["receipt_no"] == "00012"
