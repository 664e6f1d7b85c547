"""The bank fails in the middle of a money move (the sandbox's switches, `PUT /sandbox/faults`):
the customer gets the exact answer the conversation design promises, and the bank shows that no
money moved (balances from the bank's own API, ledger balanced). Then the bank recovers and a
retry moves the money exactly once.

Also the bank down (error or hang) while the customer reads (balance, history, bank details,
own invitation), logs in, submits the Tariff Card's KYC or uses an invitation code: the exact
answer from the responses catalog, nothing half-done on the bank, and the request works once
it is back.

Through the real stack: REST channel → Rasa → action server → bank client → sandbox."""

from __future__ import annotations

import secrets
import time
from decimal import Decimal

import httpx
import pytest

from tests.e2e.helpers import (
    TARAS_CARD,
    TARAS_PHONE,
    accounts,
    assert_ledger_balanced,
    flat,
    log_in,
    money,
    slot,
    uah_balance,
)
from tests.e2e.responses import pattern, said

BANK_DOWN = said("utter_bank_unavailable")
TRANSFER_NOT_CONFIRMED = said("utter_transfer_bank_unavailable_retry")
# error: the bank answers 503 at once; slow: it answers after the client's 2.5 s budget (and may
# still post the transfer afterwards); hang: it never answers in time and writes nothing.
FAULTS = {
    "error": {"error_rate": 1.0},
    "slow": {"latency_ms": 3500},
    "hang": {"hang": True},
}


@pytest.fixture
def faults(corebank):
    yield corebank
    corebank.clear_faults()


def _texts(chat, sender: str, text: str) -> list[str]:
    return [flat(t) for t in chat.texts(sender, text)]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_transfer_when_the_bank_fails(chat, rasa_server, corebank, faults, fault) -> None:
    sender = chat.new_sender(f"f-trf-{fault}")
    log_in(chat, rasa_server, corebank, sender)
    before = uah_balance(corebank, sender)
    quote = _texts(chat, sender, f"send 10 uah to {TARAS_CARD}")
    assert quote[0].startswith(f"Send {money(10)} to •••• 0023 (Taras S., a card of our bank)?")

    corebank.set_faults(paths=["/api/v1/me/transfers"], **FAULTS[fault])
    # The retry offer, and the same quote again with its Send / Cancel buttons.
    assert _texts(chat, sender, "yes") == [TRANSFER_NOT_CONFIRMED, quote[0]]
    if fault != "slow":  # a slow bank may still post it: that is what the retry settles
        assert uah_balance(corebank, sender) == before
    assert_ledger_balanced(corebank)

    corebank.clear_faults()
    time.sleep(1.5 if fault == "slow" else 0)  # the sandbox finishes what it was doing
    done = _texts(chat, sender, "yes")
    after = before - Decimal("10.00")
    assert done[0].startswith(f"Done! {money(10)} went to •••• 0023. Fee: {money(0)}. "
                              f"Your balance is now {money(after)}. Receipt No. "), done
    assert uah_balance(corebank, sender) == after  # exactly once, whatever the fault did
    assert_ledger_balanced(corebank)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize(
    ("what", "path", "message"),
    [
        ("topup", "/api/v1/me/topups", "top up my card with 100 uah"),
        ("request", "/api/v1/me/payment-requests", "ask a friend for 50 uah"),
    ],
)
def test_link_creation_when_the_bank_fails(
    chat, rasa_server, corebank, faults, fault, what, path, message
) -> None:
    sender = chat.new_sender(f"f-{what}-{fault}")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    before = accounts(corebank, sender)
    corebank.set_faults(paths=[path], **FAULTS[fault])
    assert _texts(chat, sender, message) == [BANK_DOWN]
    corebank.clear_faults()
    assert accounts(corebank, sender) == before
    assert_ledger_balanced(corebank)


# ---------------------------------------------------------------------------------------------
# The bank down while the customer reads, logs in, applies for the Tariff Card (KYC) or uses
# an invitation: each gets its exact answer (read from the responses catalog by name), the
# answer comes before the hung bank would have answered, nothing is half-done on the bank, and
# the same request works once the bank is back. Every answer time is printed in the terminal
# summary.

DOWN = {"error": {"error_rate": 1.0}, "hang": {"hang": True}}
SANDBOX_HANG_SECONDS = 30  # corebank/devserver.py: a hung request is held this long


@pytest.fixture
def timed(chat, record_property):
    """Sends a message and records how long the answer took (`answer_seconds`, printed in the
    terminal summary by tests/e2e/conftest.py)."""

    def send(sender: str, text: str) -> list[str]:
        started = time.monotonic()
        answer = _texts(chat, sender, text)
        seconds = time.monotonic() - started
        record_property("answer_seconds", round(seconds, 2))
        # Not a speed figure (bench/ measures those): the assistant gave up on the bank by
        # itself instead of waiting for the hung request.
        assert seconds < SANDBOX_HANG_SECONDS, seconds
        return answer

    return send


def _bank_get(corebank, sender: str, path: str, scope: str) -> httpx.Response:
    with corebank.client(scope, f"rest:{sender}") as client:
        return client.get(path)


@pytest.mark.parametrize("fault", list(DOWN))
@pytest.mark.parametrize(
    ("what", "path", "message"),
    [
        ("balance", "/api/v1/me/accounts", "what's my balance"),
        ("history", "/api/v1/me/transactions", "show my transactions"),
        ("bank details", "/api/v1/me/bank-details", "my bank details"),
        ("own invitation", "/api/v1/me/referral", "give me my invite link"),
        # the whole bank: the login gate's own session check is what fails
        ("balance, whole bank", None, "what's my balance"),
    ],
)
def test_reading_when_the_bank_is_down(
    chat, rasa_server, corebank, faults, timed, fault, what, path, message
) -> None:
    sender = chat.new_sender("down-read")
    log_in(chat, rasa_server, corebank, sender, TARAS_PHONE)
    before = accounts(corebank, sender)
    corebank.set_faults(paths=[path] if path else None, **DOWN[fault])
    answer = timed(sender, message)
    corebank.clear_faults()
    assert answer == [BANK_DOWN]
    assert slot(rasa_server, sender, "logged_in") is True  # still logged in: nothing to redo
    assert accounts(corebank, sender) == before
    # Back: the same request gets its real answer.
    assert _texts(chat, sender, message) not in ([], [said("utter_bank_unavailable")])


@pytest.mark.parametrize("fault", list(DOWN))
@pytest.mark.parametrize("step", ["phone", "code"])
def test_login_when_the_bank_is_down(
    chat, rasa_server, corebank, faults, timed, fault, step
) -> None:
    sender, phone = chat.new_sender("down-login"), "+38098" + f"{secrets.randbelow(10**7):07d}"
    chat.send(sender, "/login")
    if step == "code":
        chat.send(sender, phone)
        code = corebank.sms_code(phone)
    corebank.set_faults(paths=["/api/v1/auth/otp"], **DOWN[fault])
    answer = timed(sender, phone if step == "phone" else code)
    corebank.clear_faults()
    assert answer == [BANK_DOWN]
    assert slot(rasa_server, sender, "logged_in") is not True
    # Nothing half-done: no session for this chat; at the phone step, no code was even sent.
    assert _bank_get(corebank, sender, "/api/v1/me/session", "customers").status_code in (401, 403)
    if step == "phone":
        assert corebank.sms_messages(phone) == []
    # Back: the login goes through from the start.
    replies = log_in(chat, rasa_server, corebank, sender, phone)
    assert slot(rasa_server, sender, "logged_in") is True, replies


def _tariff_form_up_to_consent(chat, rasa_server, sender: str) -> None:
    for text in ("I want the digital tariff card", "Dmytro Lysenko", "03.05.1991",
                 "Bazhana 12, Kyiv", "yes", f"KB{secrets.randbelow(10**6):06d}", "11.09.2012",
                 "8012"):
        chat.send(sender, text)
    assert slot(rasa_server, sender, "requested_slot") == "terms_consent"


@pytest.mark.parametrize("fault", list(DOWN))
def test_kyc_when_the_bank_is_down(chat, rasa_server, corebank, faults, timed, fault):
    sender = chat.new_sender("down-kyc")
    log_in(chat, rasa_server, corebank, sender, "+38098" + f"{secrets.randbelow(10**7):07d}")
    _tariff_form_up_to_consent(chat, rasa_server, sender)
    corebank.set_faults(paths=["/api/v1/me/kyc"], **DOWN[fault])
    answer = timed(sender, "I agree")
    corebank.clear_faults()
    assert answer == [said("utter_card_bank_unavailable")]
    # Nothing half-done: not verified, no application recorded, no card.
    with corebank.client("customers", f"rest:{sender}") as client:
        assert client.get("/api/v1/me").json()["kyc_level"] == "none"
        assert client.get("/api/v1/me/kyc").status_code == 404
    with corebank.client("cards", f"rest:{sender}") as client:
        assert client.get("/api/v1/me/cards").json() == []
    # Back: a new application goes through.
    _tariff_form_up_to_consent(chat, rasa_server, sender)
    assert pattern("utter_card_issued_tariff").fullmatch(_texts(chat, sender, "I agree")[0])
    with corebank.client("customers", f"rest:{sender}") as client:
        assert client.get("/api/v1/me").json()["kyc_level"] == "verified"


@pytest.mark.xfail(strict=True, reason=(
    "Defect (actions/cards/tariff.py ActionSubmitTariffCard, the flow rewrite's area): when the "
    "bank records the KYC application but its answer arrives after the client's 2.5 s budget, "
    "the customer is told utter_card_bank_unavailable ('no card was opened and nothing was "
    "changed') while the bank has the customer verified with the application on record. The "
    "assistant should look the outcome up (GET /api/v1/me/kyc or kyc_level), as the card "
    "block does (utter_card_change_late_done), and go on to open the card."))
def test_kyc_answered_late_is_told_as_it_is(chat, rasa_server, corebank, faults, timed):
    """The bank records the application but answers after the assistant's deadline (the
    sandbox's answer_latency_ms): whatever the customer is told must be what the bank did."""
    sender = chat.new_sender("late-kyc")
    log_in(chat, rasa_server, corebank, sender, "+38098" + f"{secrets.randbelow(10**7):07d}")
    _tariff_form_up_to_consent(chat, rasa_server, sender)
    corebank.set_faults(paths=["/api/v1/me/kyc"], answer_latency_ms=4000)
    answer = timed(sender, "I agree")
    time.sleep(2)  # the sandbox sends its late answer (the change was committed before it)
    corebank.clear_faults()
    with corebank.client("customers", f"rest:{sender}") as client:
        level = client.get("/api/v1/me").json()["kyc_level"]
    if said("utter_card_bank_unavailable") in answer:
        assert level == "none", ("told that nothing changed, but the bank verified", answer)
    else:
        assert level == "verified" and any(
            pattern("utter_card_issued_tariff").fullmatch(t) for t in answer), answer


@pytest.mark.parametrize("fault", list(DOWN))
def test_invitation_code_when_the_bank_is_down(
    chat, rasa_server, corebank, faults, timed, fault
) -> None:
    inviter = chat.new_sender("down-inviter")
    corebank.login(TARAS_PHONE, f"rest:{inviter}")

    def invitations() -> dict:
        return _bank_get(corebank, inviter, "/api/v1/me/referral", "cards").json()

    before = invitations()
    newcomer = chat.new_sender("down-invited")
    log_in(chat, rasa_server, corebank, newcomer,
           "+38098" + f"{secrets.randbelow(10**7):07d}")
    message = f"my friend invited me, code {before['code']}"
    corebank.set_faults(paths=["/api/v1/referrals/attributions"], **DOWN[fault])
    answer = timed(newcomer, message)
    corebank.clear_faults()
    assert answer == [BANK_DOWN]
    # Nothing half-done: the newcomer is not counted as the inviter's friend.
    assert invitations()["invited"] == before["invited"]
    # Back: the same code is applied, once.
    answer = _texts(chat, newcomer, message)
    assert len(answer) == 1 and pattern("utter_referral_attributed").fullmatch(answer[0]), answer
    assert invitations()["invited"] == before["invited"] + 1
