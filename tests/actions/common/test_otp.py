"""The one-time-code step shared by the login form and step-up (no bank needed)."""

from __future__ import annotations

from actions.common.otp import (
    PLAIN_CODE_RE,
    RESEND,
    RESEND_RE,
    VERIFIED_CODE,
    code_for_bank,
    code_in,
    kept_code,
)
from tests.actions.helpers import make_tracker

OTP_REF = "otok_Ab12Cd34Ef56Gh78"


def test_plain_code_and_resend_patterns():
    assert PLAIN_CODE_RE.search("code 123 456").group(1) == "123 456"
    assert PLAIN_CODE_RE.search("+380501112233") is None
    assert RESEND_RE.search("I didn't get the code")
    assert RESEND_RE.search("pls resend")
    assert not RESEND_RE.search(OTP_REF)


def test_what_a_message_says_for_a_requested_code():
    assert code_in(make_tracker("o1", f"here {OTP_REF}", "inform")) == OTP_REF
    assert code_in(make_tracker("o1", "code is 12 34 56", "inform")) == "123456"
    assert code_in(make_tracker("o1", "send it again", "inform")) == RESEND
    assert code_in(make_tracker("o1", "hm", "resend_code")) == RESEND
    assert code_in(make_tracker("o1", "/affirm", "affirm")) is None  # a button, not a code
    assert code_in(make_tracker("o1", "are you a bot?", "bot_challenge")) is None


def test_only_a_reference_of_the_code_is_ever_kept():
    assert kept_code(OTP_REF) == OTP_REF
    assert kept_code("123456") == VERIFIED_CODE


def test_the_bank_gets_the_reference_of_a_code_when_there_is_one():
    assert code_for_bank(OTP_REF) == {"secret_ref": OTP_REF}
    assert code_for_bank("123456") == {"code": "123456"}
