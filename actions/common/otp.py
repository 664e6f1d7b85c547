"""The one-time-code step of a form, shared by the login form and step-up confirmations.

A form that asks `otp_code` subclasses `OneTimeCodeValidation` and says how to (re)send a code,
what a verified code leads to, and how the step ends when the code can't be verified:

    extract_otp_code   the latest message → a vault reference of the code (the channel layer
                       swaps a typed code for one while `requested_slot` is `otp_code`), the
                       plain digits when no redacting channel ran, or a request for a new code;
    validate_otp_code  verify at the bank, count down wrong codes, resend on request or expiry.

A step-up (a code for one risky operation: a transfer, a bill payment above the threshold)
subclasses `StepUpValidation`: the code is verified as a step-up at the bank, an expired code is
sent again, and `start_step_up` asks the bank for the code bound to the operation's reference.

A plain code is never returned to Rasa: the validation replaces it before the events leave the
action server, and only `VERIFIED_CODE` ("[redacted]") or the vault reference is kept.
"""

from __future__ import annotations

import logging
import os
import re
from abc import abstractmethod
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import identity, latest_intent, typed_text
from actions.common.flow.engine import Flow
from bankclient import (
    BankError,
    NotFound,
    OtpChallenge,
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    StepUpToken,
    refs,
    user_message,
)

logger = logging.getLogger(__name__)

OTP_SLOT = "otp_code"
# A typed code when no redacting channel ran: 4-8 digits, possibly split by spaces/dashes.
PLAIN_CODE_RE = re.compile(r"(?<![\d+])(\d(?:[ -]?\d){3,7})(?!\d)")
RESEND_RE = re.compile(
    r"\b(re-?send|new code|another (one|code)|send (it |the code |me )?again|"
    r"did ?n[o']?t (get|receive|come)|never (got|came|arrived)|no code)\b",
    re.IGNORECASE,
)
RESEND = "__resend__"  # internal marker between extract_otp_code and validate_otp_code
VERIFIED_CODE = "[redacted]"  # what a slot keeps of a code that was typed in clear


def code_in(tracker: Tracker) -> str | None:
    """What the latest message says for a requested code: RESEND, the code's vault reference, the
    plain digits, or None (not an answer to the question: a digression)."""
    text = (tracker.latest_message or {}).get("text") or ""
    if latest_intent(tracker) == "resend_code" or RESEND_RE.search(text):
        return RESEND
    ref = refs.OTP_REF_RE.search(text)
    if ref:
        return ref.group(0)
    plain = PLAIN_CODE_RE.search(typed_text(tracker))
    if plain:
        return re.sub(r"\D", "", plain.group(1))
    return None


def kept_code(value: str) -> str:
    """What the slot may keep of a verified code: its vault reference, never the digits."""
    return value if refs.is_otp_ref(value) else VERIFIED_CODE


def code_for_bank(value: str) -> dict[str, str]:
    """How a code goes to the bank's verify call: its vault reference (preferred) or, without a
    redacting channel, the digits themselves."""
    return {"secret_ref": value} if refs.is_otp_ref(value) else {"code": value}


class OneTimeCodeValidation(Flow):
    """A form with an `otp_code` step. Subclasses name the slot holding the bank's challenge id
    and implement the hooks; every hook returns slot values (a dict, as validate_ methods do)."""

    challenge_slot = ""  # the slot with the challenge id (subclasses)

    @abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the concrete forms and not this base."""

    @abstractmethod
    async def send_code(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Start a (new) challenge: on request, or when there is none to verify against."""

    @abstractmethod
    async def verify_code(self, challenge_id: str, code: str) -> Any:
        """Check `code` against the challenge at the bank (login or step-up; pass it as
        `code_for_bank(code)`) → the bank's typed answer, or a `BankError`."""

    @abstractmethod
    async def code_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        result: Any,
        code: str,
    ) -> dict[str, Any]:
        """The bank accepted `code` (`result` is `verify_code`'s answer): finish the step."""

    @abstractmethod
    async def code_expired(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The challenge expired or is unknown to the bank."""

    @abstractmethod
    def code_refused(self, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        """No more tries: the last wrong code, or the phone is locked out (the bank's reason has
        been said already)."""

    @abstractmethod
    def verification_failed(
        self, dispatcher: CollectingDispatcher, err: BankError
    ) -> dict[str, Any]:
        """Any other bank error while verifying (bank down, session gone, ...)."""

    async def extract_otp_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != OTP_SLOT:
            return {}
        code = code_in(tracker)
        return {OTP_SLOT: code} if code is not None else {}

    async def validate_otp_code(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if not value:
            return {OTP_SLOT: None}
        challenge_id = tracker.get_slot(self.challenge_slot)
        if value == RESEND or not challenge_id:
            return await self.send_code(dispatcher, tracker)
        code = str(value)
        try:
            result = await self.verify_code(challenge_id, code)
        except OtpInvalid as err:
            dispatcher.utter_message(text=user_message(err))
            if err.attempts_left is not None and err.attempts_left <= 0:
                return {OTP_SLOT: None, **self.code_refused(dispatcher)}
            return {OTP_SLOT: None}
        except (OtpExpired, NotFound):
            return await self.code_expired(dispatcher, tracker)
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            return {OTP_SLOT: None, **self.code_refused(dispatcher)}
        except BankError as err:
            return {OTP_SLOT: None, **self.verification_failed(dispatcher, err)}
        return await self.code_verified(dispatcher, tracker, result, code)


def step_up_threshold() -> Decimal:
    """The amount above which the bank asks for a step-up code (`STEP_UP_THRESHOLD`, the
    bank's own setting): shown to customers only, the bank decides."""
    try:
        return Decimal(os.environ.get("STEP_UP_THRESHOLD") or "500.00")
    except ArithmeticError:
        return Decimal("500.00")


async def start_step_up(tracker: Tracker, purpose: str, reference: str,
                        **terms: str) -> OtpChallenge:
    """Ask the bank for a step-up code for one operation (`reference`: what the bank binds the
    code to, e.g. a quote id or the payment's idempotency key). Raises the bank's errors
    (`OtpLocked`, `OtpRateLimited`, ...)."""
    return await bank().customers.start_step_up(identity(tracker), purpose, reference, **terms)


class StepUpValidation(OneTimeCodeValidation):
    """A form whose `otp_code` is a step-up code: verified as a step-up (the answer is the
    single-use `StepUpToken` the operation then carries), a new code sent when it expired.
    Subclasses implement `send_code` (with `start_step_up`), `operate` (the operation, carrying
    the step-up token), `bank_failed` (a bank error ends the flow) and name
    `otp_failed_response` (codes exhausted); the flow's `ended_by` slot records the end."""

    otp_failed_response: str = ""

    @abstractmethod
    async def operate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, step_up_token: str | None
    ) -> dict[str, Any]:
        """Do the confirmed operation (money leaves here) → slot values."""

    @abstractmethod
    def bank_failed(
        self, dispatcher: CollectingDispatcher, err: BankError, what: str
    ) -> dict[str, Any]:
        """Session gone or bank down: one clear answer, nothing done, the flow ends."""

    def code_refused(self, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        dispatcher.utter_message(response=self.otp_failed_response)
        return {self.ended_by or "": "failed"}

    def verification_failed(
        self, dispatcher: CollectingDispatcher, err: BankError
    ) -> dict[str, Any]:
        return self.bank_failed(dispatcher, err, "step-up verify")

    async def code_verified(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, result: StepUpToken, code: str
    ) -> dict[str, Any]:
        outcome = await self.operate(dispatcher, tracker, result.step_up_token)
        return {OTP_SLOT: VERIFIED_CODE, self.challenge_slot: None, **outcome}

    async def verify_code(self, challenge_id: str, code: str) -> StepUpToken:
        return await bank().customers.verify_step_up(challenge_id, **code_for_bank(code))

    async def code_expired(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        return await self.send_code(dispatcher, tracker)
