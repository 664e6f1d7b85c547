"""OTP login, wrong codes, lockout, expiry, secret_ref, idle sessions, logout, step-up."""

from __future__ import annotations

import time

import pytest

from tests.corebank.helpers import DEMO_ANNA, DEMO_TARAS, error_code, new_identity


@pytest.fixture(scope="module")
def bank(corebank_factory):
    # Short timers so expiry and lockout are observable in seconds.
    return corebank_factory(extra_env={
        "OTP_TTL_SECONDS": "3", "SESSION_IDLE_SECONDS": "3", "OTP_LOCKOUT_SECONDS": "4",
        "OTP_MAX_ATTEMPTS": "3",
    })


def _start(bank, phone, identity):
    resp = bank.http.post("/api/v1/auth/otp", headers=bank.headers("customers"),
                          json={"phone": phone, "identity": identity})
    return resp


def _verify(bank, challenge_id, **body):
    return bank.http.post(f"/api/v1/auth/otp/{challenge_id}/verify",
                          headers=bank.headers("customers"), json=body)


def _me(bank, identity, path="/api/v1/me"):
    return bank.http.get(path, headers=bank.headers(identity=identity))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _unique_phone(n: int) -> str:
    return f"+38067{n:07d}"


def test_login_flow_links_identity_to_customer(bank):
    identity = new_identity()
    resp = _start(bank, DEMO_ANNA, identity)
    assert resp.status_code == 200
    body = resp.json()
    assert body["masked_phone"] == "+38050•••2233" and body["expires_in"] == 3
    code = bank.sms_code(DEMO_ANNA)
    assert code not in bank.log_text()  # the log says "code sent", never the code
    assert "SMS to +38050•••2233: code sent" in bank.log_text()
    resp = _verify(bank, body["challenge_id"], code=code)
    assert resp.status_code == 200, resp.text
    assert resp.json()["first_name"] == "Anna" and resp.json()["kyc_level"] == "verified"
    me = _me(bank, identity)
    assert me.status_code == 200 and me.json()["masked_name"] == "Anna I."
    # the code is single use
    again = _verify(bank, body["challenge_id"], code=code)
    assert again.status_code == 410 and error_code(again) == "otp_expired"


def test_no_session_means_login_required(bank):
    resp = _me(bank, new_identity())
    assert resp.status_code == 401 and error_code(resp) == "login_required"


def test_identity_header_is_validated(bank):
    resp = _me(bank, "no-colon-here")
    assert resp.status_code == 400 and error_code(resp) == "invalid_request"


@pytest.mark.parametrize("phone", ["0501112233", "+38050", "+999123", "phone", ""])
def test_phone_must_be_e164(bank, phone):
    resp = _start(bank, phone, new_identity())
    assert resp.status_code == 422 and error_code(resp) == "invalid_request"


def test_wrong_codes_count_down_then_lock(bank):
    phone, chat = _unique_phone(1001), new_identity()  # counted per (chat, phone)
    ch = _start(bank, phone, chat).json()["challenge_id"]
    code = bank.sms_code(phone)
    first = _verify(bank, ch, code=_wrong(code))
    assert first.status_code == 401 and error_code(first) == "otp_invalid"
    assert first.json()["error"]["attempts_left"] == 2
    # a new challenge does not reset the counter
    ch2 = _start(bank, phone, chat).json()["challenge_id"]
    code2 = bank.sms_code(phone)
    second = _verify(bank, ch2, code="12")  # malformed codes count too
    assert second.json()["error"]["attempts_left"] == 1
    third = _verify(bank, ch2, code=_wrong(code2))
    assert third.status_code == 429 and error_code(third) == "otp_locked"
    assert 0 < third.json()["error"]["retry_after"] <= 4
    # locked: even the right code and new challenges are refused
    assert error_code(_verify(bank, ch2, code=code2)) == "otp_locked"
    refused = _start(bank, phone, chat)
    assert refused.status_code == 429 and error_code(refused) == "otp_locked"
    time.sleep(4.2)
    ch3 = _start(bank, phone, chat)
    assert ch3.status_code == 200
    ok = _verify(bank, ch3.json()["challenge_id"], code=bank.sms_code(phone))
    assert ok.status_code == 200


def test_older_challenge_stops_working_when_the_same_chat_asks_again(bank):
    phone, chat = _unique_phone(1002), new_identity()
    ch1 = _start(bank, phone, chat).json()["challenge_id"]
    code1 = bank.sms_code(phone)
    _start(bank, phone, chat)
    assert error_code(_verify(bank, ch1, code=code1)) == "otp_expired"


def test_a_strangers_request_never_voids_the_owners_pending_code(bank):
    """Issue 22 #2: a stranger asking a code for the owner's phone made the owner's code
    "expired"."""
    phone, owner = _unique_phone(1091), new_identity()
    mine = _start(bank, phone, owner).json()["challenge_id"]
    code = bank.sms_code(phone)
    for _ in range(3):
        assert _start(bank, phone, new_identity()).status_code == 200  # strangers
    assert _verify(bank, mine, code=code).status_code == 200


def test_code_expires(bank):
    phone = _unique_phone(1003)
    ch = _start(bank, phone, new_identity()).json()["challenge_id"]
    code = bank.sms_code(phone)
    time.sleep(3.2)
    resp = _verify(bank, ch, code=code)
    assert resp.status_code == 410 and error_code(resp) == "otp_expired"


def test_unknown_phone_becomes_a_prospect(bank):
    phone = _unique_phone(1004)
    identity = new_identity("viber")
    ch = _start(bank, phone, identity).json()["challenge_id"]
    body = _verify(bank, ch, code=bank.sms_code(phone)).json()
    assert body["kyc_level"] == "none" and body["first_name"] is None and body["is_new"]
    assert _me(bank, identity, "/api/v1/me/accounts").json() == []
    details = _me(bank, identity, "/api/v1/me/bank-details")
    assert details.status_code == 404


def test_verify_with_vault_secret_ref(bank):
    phone = _unique_phone(1005)
    identity = new_identity()
    ch = _start(bank, phone, identity).json()["challenge_id"]
    ref = bank.http.post("/api/v1/vault/secrets", headers=bank.headers("vault"),
                         json={"kind": "otp", "value": bank.sms_code(phone)}).json()
    assert ref["secret_ref"].startswith("otok_") and len(ref["secret_ref"]) == 21
    resp = _verify(bank, ch, secret_ref=ref["secret_ref"])
    assert resp.status_code == 200, resp.text
    # the reference is single use
    ch2 = _start(bank, phone, identity).json()["challenge_id"]
    again = _verify(bank, ch2, secret_ref=ref["secret_ref"])
    assert error_code(again) == "otp_invalid"


def test_verify_needs_code_or_ref_and_challenge_must_exist(bank):
    assert _verify(bank, "otp_nope", code="123456").status_code == 404
    ch = _start(bank, _unique_phone(1006), new_identity()).json()["challenge_id"]
    resp = _verify(bank, ch)
    assert resp.status_code == 422 and error_code(resp) == "invalid_request"
    assert _verify(bank, ch, code={"x": 1}).status_code == 422


def test_session_expires_when_idle_and_activity_refreshes_it(bank):
    identity = new_identity()
    bank.login(DEMO_TARAS, identity)
    for _ in range(3):  # activity every 1.5 s keeps a 3 s idle session alive
        time.sleep(1.5)
        assert _me(bank, identity).status_code == 200
    time.sleep(3.3)
    resp = _me(bank, identity)
    assert resp.status_code == 401 and error_code(resp) == "session_expired"
    assert error_code(_me(bank, identity)) == "session_expired"
    bank.login(DEMO_TARAS, identity)
    assert _me(bank, identity).status_code == 200


def test_session_info_and_logout(bank):
    identity = new_identity()
    bank.login(DEMO_TARAS, identity)
    info = _me(bank, identity, "/api/v1/me/session").json()
    assert info["identity"] == identity and info["idle_timeout_seconds"] == 3
    out = bank.http.delete("/api/v1/me/session", headers=bank.headers(identity=identity))
    assert out.json() == {"logged_out": True}
    assert error_code(_me(bank, identity)) == "login_required"


def test_step_up_token(bank):
    identity = new_identity()
    bank.login(DEMO_ANNA, identity)
    resp = bank.http.post("/api/v1/me/step-up", headers=bank.headers(identity=identity),
                          json={"purpose": "bill", "reference": "pay-123", "amount": "700.00",
                                "target": "kyivstar:0671234567"})
    assert resp.status_code == 200, resp.text
    verified = _verify(bank, resp.json()["challenge_id"], code=bank.sms_code(DEMO_ANNA))
    assert verified.status_code == 200
    token = verified.json()["step_up_token"]
    assert token.startswith("sut_") and verified.json()["reference"] == "pay-123"


def test_step_up_needs_a_session(bank):
    resp = bank.http.post("/api/v1/me/step-up", headers=bank.headers(identity=new_identity()),
                          json={"purpose": "transfer", "reference": "x"})
    assert error_code(resp) == "login_required"
