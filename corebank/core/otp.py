"""One-time codes: login (links a messenger identity to a customer) and step-up.

Codes are 6 digits, sent through the SMS outbox, stored only as an HMAC. Abuse limits
(docs/security.md "One-time codes"):
- sends: at most OTP_SENDS_PER_IDENTITY codes from one messenger identity (to any phones), and
  at most OTP_SENDS_PER_PHONE codes to one phone asked by chats *not yet linked* to that
  phone's customer, per OTP_SEND_WINDOW_MINUTES (429 `otp_rate_limited`). Strangers share the
  phone's budget; the owner's linked chats ("trusted") are limited only per identity, so a
  flood from stranger chats cannot lock the owner out of their own chat;
- a new code voids only the older open codes *of the same chat* (and purpose): a stranger
  asking a code for the owner's phone never voids the owner's pending code;
- wrong codes: counted per (messenger identity, phone) across challenges (a new challenge does
  not reset them); after OTP_MAX_ATTEMPTS that identity is locked out of that phone for
  OTP_LOCKOUT_MINUTES. A stranger's wrong codes never lock the owner's own chat out.
`verify()` returns its failure instead of raising it, so the caller can commit the failure
counter first (see core/api/auth_zone.py).
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corebank.core import keys, vault
from corebank.core.auth import idle_delta, start_session
from corebank.core.db import dialect_insert, iso, new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.models import (
    Customer,
    MessengerSession,
    OtpChallenge,
    OtpLockout,
    SmsMessage,
)
from corebank.core.phones import mask_phone
from corebank.core.settings import get_settings

log = logging.getLogger("corebank.sms")


def send_sms(session: Session, phone: str, text: str) -> None:
    """Sandbox SMS gateway: the outbox table. The log never carries the text (it has codes)."""
    session.add(SmsMessage(phone=phone, text=text, created_at=utcnow()))
    log.info("SMS to %s: code sent", mask_phone(phone))


def _code_hash(challenge_id: str, code: str) -> str:
    return keys.keyed_hash("otp", challenge_id, code)


def _lock_row(session: Session, identity: str, phone: str) -> OtpLockout:
    session.execute(
        dialect_insert(session, OtpLockout.__table__)
        .values(identity=identity, phone=phone, failures=0)
        .on_conflict_do_nothing(index_elements=["identity", "phone"])
    )
    return session.execute(
        select(OtpLockout)
        .where(OtpLockout.identity == identity, OtpLockout.phone == phone).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _check_send_limit(session: Session, column, value: str, limit: int, now,
                      *conditions) -> None:
    """Refuse a new code when `limit` challenges were started for `value` in the window."""
    window = timedelta(seconds=get_settings().otp_send_window_seconds)
    recent = session.execute(
        select(OtpChallenge.created_at)
        .where(column == value, OtpChallenge.created_at > now - window, *conditions)
        .order_by(OtpChallenge.created_at.desc()).limit(limit)
    ).scalars().all()
    if len(recent) >= limit:
        retry_after = max(1, math.ceil((recent[-1] + window - now).total_seconds()))
        raise BankError("otp_rate_limited",
                        "Too many codes were sent recently. Try again later.",
                        retry_after=retry_after)


def _locked_error(locked_until) -> BankError | None:
    now = utcnow()
    if locked_until is not None and locked_until > now:
        retry_after = math.ceil((locked_until - now).total_seconds())
        return BankError("otp_locked", "Too many wrong codes. Try again later.",
                         retry_after=retry_after)
    return None


def _is_linked(session: Session, identity: str, phone: str) -> bool:
    """Has this chat ever logged in (by a code sent to this phone) as the phone's customer?"""
    return session.execute(
        select(MessengerSession.id)
        .join(Customer, Customer.id == MessengerSession.customer_id)
        .where(MessengerSession.identity == identity, Customer.phone == phone).limit(1)
    ).first() is not None


def start_challenge(session: Session, phone: str, identity: str, purpose: str = "login",
                    customer_id: str | None = None, reference: str | None = None,
                    step_up_purpose: str | None = None, confirms: str | None = None,
                    amount: str | None = None, target: str | None = None) -> OtpChallenge:
    """`confirms`: what a step-up code confirms, said in the SMS ("a transfer of 600.00 UAH to
    •••• 1111"); `amount` / `target`: what `consume_step_up` will check it against."""
    settings = get_settings()
    lock = session.execute(select(OtpLockout.locked_until).where(
        OtpLockout.identity == identity, OtpLockout.phone == phone))
    error = _locked_error(lock.scalar_one_or_none())
    if error:
        raise error
    now = utcnow()
    trusted = _is_linked(session, identity, phone)
    if not trusted:
        _check_send_limit(session, OtpChallenge.phone, phone, settings.otp_sends_per_phone, now,
                          OtpChallenge.trusted.is_(False))
    _check_send_limit(session, OtpChallenge.identity, identity,
                      settings.otp_sends_per_identity, now)
    # One open challenge per chat, phone and purpose: that chat's older codes stop working;
    # another chat's (the owner's) stay good.
    session.execute(
        update(OtpChallenge)
        .where(OtpChallenge.phone == phone, OtpChallenge.purpose == purpose,
               OtpChallenge.identity == identity,
               OtpChallenge.consumed_at.is_(None), OtpChallenge.expires_at > now)
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    challenge_id = new_id("otp_")
    challenge = OtpChallenge(
        id=challenge_id, phone=phone, identity=identity, customer_id=customer_id,
        purpose=purpose, step_up_purpose=step_up_purpose, reference=reference,
        step_up_amount=amount, step_up_target=target, trusted=trusted,
        code_hash=_code_hash(challenge_id, code), attempts=0,
        max_attempts=settings.otp_max_attempts, created_at=now,
        expires_at=now + timedelta(seconds=settings.otp_ttl_seconds),
    )
    session.add(challenge)
    what = ("to log in to the chat bank" if purpose == "login"
            else f"to confirm {confirms or 'the operation'}")
    send_sms(session, phone, f"Your code is {code} {what}. Never share it with anyone.")
    return challenge


# --- what a step-up code confirms -------------------------------------------------------

@dataclass(frozen=True)
class StepUpTerms:
    """What one step-up code confirms: said in the SMS, checked when the token is spent."""

    confirms: str  # "a transfer of 600.00 UAH to •••• 1111"
    amount: str | None = None
    target: str | None = None


# purpose -> (session, customer_id, reference, request body) -> StepUpTerms (raises BankError
# when the reference names nothing of this customer's). Each domain registers its own.
StepUpDescriber = Callable[[Session, str, str, dict], StepUpTerms]
STEP_UP_PURPOSES: dict[str, StepUpDescriber] = {}


def step_up_purpose(name: str) -> Callable[[StepUpDescriber], StepUpDescriber]:
    def register(describe: StepUpDescriber) -> StepUpDescriber:
        STEP_UP_PURPOSES[name] = describe
        return describe
    return register


def step_up_terms(session: Session, customer_id: str, purpose: str, reference: str,
                  body: dict) -> StepUpTerms:
    describe = STEP_UP_PURPOSES.get(purpose)
    if describe is None:
        raise BankError("unknown_purpose",
                        f"Unknown step-up purpose; one of: {', '.join(sorted(STEP_UP_PURPOSES))}.",
                        field="purpose")
    return describe(session, customer_id, reference, body)


def challenge_view(challenge: OtpChallenge) -> dict:
    return {
        "challenge_id": challenge.id,
        "masked_phone": mask_phone(challenge.phone),
        "expires_in": int(get_settings().otp_ttl_seconds),
    }


@dataclass
class Verified:
    body: dict


def verify(session: Session, challenge_id: str, code: object = None,
           secret_ref: object = None) -> Verified | BankError:
    """Check a code (or a vault `otok_` reference to a typed code). On success: login ->
    customer (created as a prospect if the phone is new) + session; step_up -> token."""
    settings = get_settings()
    if code is None and secret_ref is None:
        return BankError("invalid_request", "Send either 'code' or 'secret_ref'.", 422)
    challenge = session.execute(
        select(OtpChallenge).where(OtpChallenge.id == challenge_id).with_for_update()
    ).scalar_one_or_none() if isinstance(challenge_id, str) else None
    if challenge is None:
        return BankError("not_found", "No such challenge.")
    lock = _lock_row(session, challenge.identity, challenge.phone)
    if (error := _locked_error(lock.locked_until)) is not None:
        return error
    now = utcnow()
    if challenge.consumed_at is not None or challenge.expires_at <= now:
        return BankError("otp_expired", "The code has expired. Ask for a new one.")

    if secret_ref is not None:
        typed = vault.reveal_secret(session, secret_ref, kind="otp", consume=True)
    else:
        typed = code if isinstance(code, str) else None
    typed = typed.strip() if isinstance(typed, str) else ""
    ok = (len(typed) == 6 and typed.isdigit()
          and secrets.compare_digest(_code_hash(challenge.id, typed), challenge.code_hash))
    if not ok:
        challenge.attempts += 1
        lock.failures += 1
        if lock.failures >= settings.otp_max_attempts:
            lock.failures = 0
            lock.locked_until = now + timedelta(seconds=settings.otp_lockout_seconds)
            challenge.consumed_at = now
            log.info("OTP lockout for %s from one chat", mask_phone(challenge.phone))
            return _locked_error(lock.locked_until)
        return BankError("otp_invalid", "The code is not right.",
                         attempts_left=settings.otp_max_attempts - lock.failures)

    lock.failures = 0
    challenge.consumed_at = now
    if challenge.purpose == "step_up":
        token = new_id("sut_", 24)
        challenge.step_up_token_hash = keys.keyed_hash("step_up", token)
        return Verified({"step_up_token": token, "expires_in": int(settings.otp_ttl_seconds),
                         "purpose": challenge.step_up_purpose, "reference": challenge.reference})

    customer = session.execute(
        select(Customer).where(Customer.phone == challenge.phone)
    ).scalar_one_or_none()
    if customer is None:  # a newcomer: a prospect who can now apply for a card
        customer = Customer(id=new_id("cus_"), phone=challenge.phone, kyc_level="none",
                            created_at=now)
        session.add(customer)
        session.flush()
    start_session(session, challenge.identity, customer.id)
    return Verified({
        "customer_id": customer.id,
        "first_name": customer.first_name,
        "kyc_level": customer.kyc_level,
        "is_new": customer.created_at == now,
        "session_expires_at": iso(now + idle_delta()),
    })
