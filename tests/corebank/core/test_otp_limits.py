"""OTP abuse limits (docs/security.md "One-time codes"), on a sandbox with small limits:
codes sent per phone and per chat identity in a window, and wrong codes counted per
(chat identity, phone) so a stranger cannot lock the owner out."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.corebank.helpers import error_code

LIMITS = {"OTP_SENDS_PER_PHONE": "3", "OTP_SENDS_PER_IDENTITY": "2",
          "OTP_SEND_WINDOW_MINUTES": "15", "OTP_MAX_ATTEMPTS": "3"}


@pytest.fixture(scope="module")
def bank(corebank_factory):
    return corebank_factory(extra_env=LIMITS)


def _phone() -> str:
    return f"+38066{secrets.randbelow(10**7):07d}"


def _identity() -> str:
    return f"telegram:{secrets.token_hex(6)}"


def _ask(bank, phone: str, identity: str) -> httpx.Response:
    return bank.http.post("/api/v1/auth/otp", headers=bank.headers("customers"),
                          json={"phone": phone, "identity": identity})


def _verify(bank, challenge_id: str, code: str) -> httpx.Response:
    return bank.http.post(f"/api/v1/auth/otp/{challenge_id}/verify",
                          headers=bank.headers("customers"), json={"code": code})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_one_chat_cannot_make_the_bank_text_without_limit(bank):
    chat, phone_a, phone_b = _identity(), _phone(), _phone()
    assert _ask(bank, phone_a, chat).status_code == 200
    assert _ask(bank, phone_a, chat).status_code == 200  # "resend"
    refused = _ask(bank, phone_a, chat)
    assert refused.status_code == 429 and error_code(refused) == "otp_rate_limited"
    assert 0 < refused.json()["error"]["retry_after"] <= 15 * 60
    # the limit is the chat's, whatever phone it types next
    assert error_code(_ask(bank, phone_b, chat)) == "otp_rate_limited"
    assert len(bank.sms_messages(phone_a)) == 2 and bank.sms_messages(phone_b) == []


def test_one_phone_gets_a_bounded_number_of_codes_from_many_chats(bank):
    phone = _phone()
    for _ in range(3):
        assert _ask(bank, phone, _identity()).status_code == 200
    refused = _ask(bank, phone, _identity())
    assert refused.status_code == 429 and error_code(refused) == "otp_rate_limited"
    assert len(bank.sms_messages(phone)) == 3


def test_a_strangers_wrong_codes_do_not_lock_the_owner_out(bank):
    phone, stranger, owner = _phone(), _identity(), _identity()
    challenge = _ask(bank, phone, stranger).json()["challenge_id"]
    code = bank.sms_code(phone)
    assert error_code(_verify(bank, challenge, _wrong(code))) == "otp_invalid"
    assert error_code(_verify(bank, challenge, _wrong(code))) == "otp_invalid"
    locked = _verify(bank, challenge, _wrong(code))
    assert locked.status_code == 429 and error_code(locked) == "otp_locked"
    # the stranger's chat is locked out of this phone ...
    again = _ask(bank, phone, stranger)
    assert again.status_code == 429 and error_code(again) == "otp_locked"
    # ... the owner's is not: a code arrives and logs the owner in
    mine = _ask(bank, phone, owner)
    assert mine.status_code == 200, mine.text
    done = _verify(bank, mine.json()["challenge_id"], bank.sms_code(phone))
    assert done.status_code == 200, done.text
    assert done.json()["customer_id"]


def test_wrong_codes_add_up_across_challenges_for_the_same_chat(bank):
    phone, chat = _phone(), _identity()
    first = _ask(bank, phone, chat).json()["challenge_id"]
    code = bank.sms_code(phone)
    assert error_code(_verify(bank, first, _wrong(code))) == "otp_invalid"
    second = _ask(bank, phone, chat).json()["challenge_id"]  # a new code does not reset
    code = bank.sms_code(phone)
    resp = _verify(bank, second, _wrong(code))
    assert error_code(resp) == "otp_invalid" and resp.json()["error"]["attempts_left"] == 1
    assert error_code(_verify(bank, second, _wrong(code))) == "otp_locked"
    assert error_code(_verify(bank, second, code)) == "otp_locked"  # even the right one


def test_a_flood_from_stranger_chats_never_locks_the_owners_own_chat_out(bank):
    """Issue 22 #2: 30 requests from 4 stranger chats (and, after that, two per window) kept
    the owner's own chat on "too many codes". The owner's chat, once linked to the phone's
    customer, is limited only per chat; strangers share the phone's budget."""
    phone, owner = _phone(), _identity()
    first = _ask(bank, phone, owner).json()["challenge_id"]
    assert _verify(bank, first, bank.sms_code(phone)).status_code == 200  # the owner's chat
    strangers = [_identity() for _ in range(4)]
    answers = [_ask(bank, phone, chat).status_code for chat in strangers for _ in range(8)]
    # the phone's budget for unlinked chats (3, one used by the owner's first login) holds
    assert answers.count(200) == 2 and answers.count(429) == 30
    mine = _ask(bank, phone, owner)  # the owner logs in again, despite the flood
    assert mine.status_code == 200, mine.text
    pending = mine.json()["challenge_id"]
    code = bank.sms_code(phone)
    assert _ask(bank, phone, _identity()).status_code == 429  # nor does a stranger void it
    assert _verify(bank, pending, code).status_code == 200
    # the owner's chat keeps its own per-chat limit
    assert _ask(bank, phone, owner).status_code == 429
