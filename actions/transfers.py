"""Money transfers by card number (`transfer_money`): one form does the whole conversation.

    transfer_form: transfer_amount → transfer_card_token → transfer_confirmed [→ otp_code]

- Amount and card come from free text ("send 50 to ctok_…", "twenty dollars", "1 500 uah") or
  step by step. The channel layer has already replaced a Luhn-valid number with a vault token
  (`ctok_…`, or `ctok_unavailable` when the vault was down); a card-like number still in the
  text failed the Luhn check.
- As soon as amount and card are known the bank quotes the transfer (route, fee, total,
  recipient's masked name for our own cards); quote errors (own card, blocked card, not enough
  money, limits) say why and ask again for the part that must change.
- Confirmation with buttons; "change the amount" or a new amount re-quotes; "no" cancels (rule).
- Above the bank's step-up threshold the form asks `otp_code` (the channel layer swaps the typed
  code for an `otok_…` reference while `requested_slot` is `otp_code`); the step-up token is
  used at once and never stored.
- Execution carries an idempotency key derived from the conversation and the quote, so a doubled
  message or a retry after a timeout can never send the money twice.
- `action_transfer_completed` (the form's end) sends the summary, the receipt image and the new
  balance, then clears the transfer slots.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.auth import OTP_REF_RE, PLAIN_CODE_RE, RESEND_RE
from actions.bank.errors import (
    BankError,
    BankUnavailable,
    CardBlocked,
    InsufficientFunds,
    InvalidAmount,
    InvalidCard,
    InvalidRequest,
    LimitExceeded,
    LoginRequired,
    NotFound,
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    OtpRequired,
    OwnCard,
    user_message,
)
from actions.bank.money import AmountError, format_money, from_api, parse_amount, validate_amount
from actions.session import apologise, get_bank, identity, latest_intent, logged_out_events

logger = logging.getLogger(__name__)

FORM = "transfer_form"
STEP_UP_PURPOSE = "transfer"
DEFAULT_CURRENCY = "UAH"
REDACTED_CODE = "[redacted]"
RESEND = "__resend__"

# Every slot this flow fills; cleared at the start and at the end of a transfer.
TRANSFER_SLOTS = (
    "transfer_amount",
    "transfer_currency",
    "transfer_card_token",
    "transfer_card_masked",
    "transfer_recipient",
    "transfer_quote_id",
    "transfer_quote",
    "transfer_confirmed",
    "step_up_challenge_id",
    "transfer_status",
    "transfer_result",
    "otp_code",
)
# Actions after which an older transfer_money message no longer belongs to the current one.
_FLOW_BOUNDARIES = {"action_transfer_completed", "action_cancel_transfer", "action_restart"}

CARD_TOKEN_RE = re.compile(r"\bctok_(?:unavailable\b|[A-Za-z0-9]{16}\b)")
CARD_TOKEN_UNAVAILABLE = "ctok_unavailable"
# A card-like number the channel layer did not tokenize: it failed the Luhn check.
RAW_CARD_RE = re.compile(r"(?<![\w])\d(?:[ -]?\d){12,18}(?![\w])")
_TOKENS_RE = re.compile(r"\b(?:ctok|otok|ptok|stok)_[A-Za-z0-9]+\b")
_NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:[ ,.'’]\d+)*(?:\s*k\b)?", re.IGNORECASE)
_NUMBER_WORDS = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|grand|million|a|an|and)"
)
_WORDS_AMOUNT_RE = re.compile(rf"\b{_NUMBER_WORDS}(?:[\s-]+{_NUMBER_WORDS})*\b", re.IGNORECASE)

CURRENCY_WORDS = {
    "uah": "UAH", "hryvnia": "UAH", "hryvnias": "UAH", "hryvnya": "UAH", "hryvnyas": "UAH",
    "hrn": "UAH", "grn": "UAH", "₴": "UAH",
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "$": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR",
}  # fmt: skip
_CURRENCY_TEXT_RE = re.compile(
    r"(?<![\w])(uah|hryvn[iy]as?|hrn|grn|usd|dollars?|bucks|eur|euros?)(?![\w])|([₴$€])",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- message parsing


def _entities(message: dict[str, Any], name: str) -> list[str]:
    return [
        str(e.get("value"))
        for e in message.get("entities") or []
        if e.get("entity") == name and e.get("value") is not None
    ]


def message_text(message: dict[str, Any]) -> str:
    text = message.get("text") or ""
    return "" if text.startswith("/") else text  # a button payload is not typed text


def card_token_in(message: dict[str, Any]) -> str | None:
    for value in _entities(message, "card_token"):
        if CARD_TOKEN_RE.fullmatch(value):
            return value
    match = CARD_TOKEN_RE.search(message.get("text") or "")
    return match.group(0) if match else None


def has_raw_card_number(message: dict[str, Any]) -> bool:
    return bool(RAW_CARD_RE.search(_TOKENS_RE.sub(" ", message_text(message))))


def currency_in(message: dict[str, Any]) -> str | None:
    for value in _entities(message, "currency"):
        code = CURRENCY_WORDS.get(value.lower()) or (value.upper() if len(value) == 3 else None)
        if code in ("UAH", "USD", "EUR"):
            return code
    match = _CURRENCY_TEXT_RE.search(message_text(message))
    if match:
        word = (match.group(1) or match.group(2)).lower()
        return CURRENCY_WORDS.get(word) or CURRENCY_WORDS.get(word.rstrip("s"))
    return None


def amount_in(message: dict[str, Any], answer_expected: bool) -> str | None:
    """The raw amount the customer wrote, or None.

    `answer_expected`: the bot has just asked "how much", so a bare number or number words
    count. Otherwise the NLU's `amount` entity counts, or a single number written next to a
    currency or a card token ("50 to ctok_…", "fifty dollars").
    """
    for value in _entities(message, "amount"):
        if len(re.sub(r"\D", "", value)) < 13:  # never a card number the NLU mistook
            return value
    text = message_text(message)
    anchored = bool(CARD_TOKEN_RE.search(text) or currency_in(message))
    text = RAW_CARD_RE.sub(" ", _TOKENS_RE.sub(" ", text))
    if not text.strip() or not (answer_expected or anchored):
        return None
    if answer_expected and parse_amount(text) is not None:
        return text
    numbers = _NUMBER_RE.findall(text)
    if len(numbers) == 1:
        return numbers[0]
    if not numbers:
        words = [m.group(0) for m in _WORDS_AMOUNT_RE.finditer(text)]
        parsed = [w for w in words if parse_amount(w) is not None]
        if len(parsed) == 1:
            return parsed[0]
    return None


def parse_customer_amount(raw: str) -> tuple[Decimal | None, str | None]:
    """(amount, None) or (None, a customer-facing reason)."""
    value = parse_amount(raw)
    try:
        return validate_amount(value), None
    except AmountError as err:
        return None, str(err)


def idempotency_key(sender_id: str, quote_id: str) -> str:
    """The same conversation and quote always give the same key: the bank then answers a repeat
    with the first result instead of moving the money again."""
    return "trf-" + uuid.uuid5(uuid.NAMESPACE_URL, f"assistant:{sender_id}:{quote_id}").hex


def money_text(value: Any, currency: str) -> str:
    return format_money(from_api(value), currency)


def _limit_text(err: BankError) -> str:
    details = err.details
    currency = DEFAULT_CURRENCY
    if details.get("limit") == "daily" and details.get("daily_remaining") is not None:
        left = money_text(details["daily_remaining"], currency)
        return f"today you can send {left} more"
    if details.get("per_transfer") is not None:
        return f"one transfer can be at most {money_text(details['per_transfer'], currency)}"
    return err.message or "the bank's transfer limit"


def request_message(
    tracker: Tracker, intent: str, boundaries: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The customer's request that started a form (`intent`). Usually the latest message; when
    the form starts right after a login, the latest message is the login code, so the request
    is looked up further back (never past one of `boundaries`, the end of an earlier flow)."""
    latest = tracker.latest_message or {}
    if latest_intent(tracker) == intent:
        return latest
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in boundaries:
            break
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            if (parse.get("intent") or {}).get("name") == intent:
                return {**parse, "text": event.get("text") or ""}
    return latest


def _source_message(tracker: Tracker, activation: bool) -> dict[str, Any]:
    if not activation:
        return tracker.latest_message or {}
    return request_message(tracker, "transfer_money", _FLOW_BOUNDARIES)


# --------------------------------------------------------------------------- the form


class ValidateTransferForm(FormValidationAction):
    def name(self) -> str:
        return "validate_transfer_form"

    # -- which slots -------------------------------------------------------------------

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("transfer_status"):
            return []  # completed or stopped: the form ends
        slots = list(domain_slots)
        quote = tracker.get_slot("transfer_quote") or {}
        if tracker.get_slot("transfer_confirmed") and quote.get("requires_step_up"):
            slots.append("otp_code")
        return slots

    # -- the turn ------------------------------------------------------------------------

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = []
        if _activating(tracker):
            # A new transfer: forget whatever an earlier one left behind.
            reset = [SlotSet(name, None) for name in TRANSFER_SLOTS]
            # Not as tracker events: those would be "validated" again and override results.
            tracker.slots.update({name: None for name in TRANSFER_SLOTS})
        events = await super().run(dispatcher, tracker, domain)
        quote_events = await self._quote_if_ready(dispatcher, tracker)
        tracker.add_slots(quote_events)
        # Always name the next slot ourselves: the quote may have cleared amount or card.
        events = [e for e in events if e.get("name") != "requested_slot"] + quote_events
        required = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain
        )
        missing = next((s for s in required if tracker.slots.get(s) is None), None)
        return reset + events + [SlotSet("requested_slot", missing)]

    def _expects(self, tracker: Tracker, *slots: str | None) -> bool:
        return tracker.get_slot("requested_slot") in slots

    # -- amount ------------------------------------------------------------------------------

    async def extract_transfer_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        activation = _activating(tracker)
        if not activation and not self._expects(
            tracker, "transfer_amount", "transfer_card_token", "transfer_confirmed"
        ):
            return {}
        message = _source_message(tracker, activation)
        asked = self._expects(tracker, "transfer_amount")
        raw = amount_in(message, answer_expected=asked)
        currency = currency_in(message)
        result: dict[str, Any] = {}
        if currency:
            result["transfer_currency"] = currency
        if raw is not None:
            amount, problem = parse_customer_amount(raw)
            if amount is None:
                dispatcher.utter_message(response="utter_transfer_amount_invalid", problem=problem)
                return {**result, "transfer_amount": None}
            return {**result, "transfer_amount": str(amount)}
        if self._expects(tracker, "transfer_confirmed") and latest_intent(tracker) == (
            "change_amount"
        ):
            return {**result, "transfer_amount": None}  # the form asks for the new amount
        if asked and latest_intent(tracker) in ("inform", "transfer_money", "change_amount"):
            if card_token_in(message) is None and not has_raw_card_number(message):
                dispatcher.utter_message(response="utter_transfer_amount_missing")
                return {**result, "transfer_amount": None}
        return result

    async def validate_transfer_amount(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {"transfer_amount": value or None}

    # -- card -----------------------------------------------------------------------------

    async def extract_transfer_card_token(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        activation = _activating(tracker)
        if not activation and not self._expects(
            tracker, "transfer_amount", "transfer_card_token", "transfer_confirmed"
        ):
            return {}
        message = _source_message(tracker, activation)
        token = card_token_in(message)
        if token:
            return {"transfer_card_token": token}
        if has_raw_card_number(message):
            # Digits that look like a card number but failed the Luhn check: never kept.
            dispatcher.utter_message(response="utter_transfer_card_invalid")
            return {"transfer_card_token": None}
        if self._expects(tracker, "transfer_card_token") and latest_intent(tracker) in (
            "inform",
            "transfer_money",
        ):
            if amount_in(message, answer_expected=False) is None:
                dispatcher.utter_message(response="utter_transfer_card_missing")
                return {"transfer_card_token": None}
        return {}

    async def validate_transfer_card_token(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        cleared = {"transfer_card_token": None, "transfer_card_masked": None}
        if not value:
            return cleared
        if value == CARD_TOKEN_UNAVAILABLE:
            dispatcher.utter_message(response="utter_transfer_card_unavailable")
            return cleared
        if value == tracker.get_slot("transfer_card_token") and tracker.get_slot(
            "transfer_card_masked"
        ):
            return {"transfer_card_token": value}
        try:
            card = await get_bank().rest.card_lookup(value)
        except NotFound:
            dispatcher.utter_message(response="utter_transfer_card_not_found")
            return cleared
        except InvalidCard:
            dispatcher.utter_message(response="utter_transfer_card_invalid")
            return cleared
        except BankError as err:
            return self._stop(dispatcher, err, "card lookup")
        recipient = None if card.get("issuer") == "own" else card.get("bank_name")
        return {
            "transfer_card_token": value,
            "transfer_card_masked": card.get("masked") or f"•••• {card.get('last4', '')}",
            "transfer_recipient": recipient,
        }

    # -- quote ------------------------------------------------------------------------------

    async def _quote_if_ready(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        if tracker.get_slot("transfer_status"):
            return []
        amount = tracker.get_slot("transfer_amount")
        card = tracker.get_slot("transfer_card_token")
        currency = tracker.get_slot("transfer_currency") or DEFAULT_CURRENCY
        quote = tracker.get_slot("transfer_quote") or {}
        if not amount or not card:
            return []
        if (
            quote
            and quote.get("to_card_token") == card
            and quote.get("requested_amount") == amount
            and quote.get("currency") == currency
        ):
            return []  # still the offer the customer is looking at
        stale = [
            SlotSet("transfer_quote_id", None),
            SlotSet("transfer_quote", None),
            SlotSet("transfer_confirmed", None),
        ]
        who = identity(tracker)
        try:
            result = await get_bank().rest.quote_transfer(who, card, Decimal(amount), currency)
        except OwnCard:
            dispatcher.utter_message(response="utter_transfer_own_card")
            return stale + _clear_card()
        except CardBlocked:
            dispatcher.utter_message(response="utter_transfer_card_blocked")
            return stale + _clear_card()
        except NotFound:
            dispatcher.utter_message(response="utter_transfer_card_not_found")
            return stale + _clear_card()
        except InvalidCard:
            dispatcher.utter_message(response="utter_transfer_card_invalid")
            return stale + _clear_card()
        except InsufficientFunds as err:
            available = err.details.get("available")
            total = err.details.get("total", amount)
            dispatcher.utter_message(
                response="utter_transfer_insufficient_funds",
                total=money_text(total, currency),
                available=money_text(available, currency) if available is not None else "less",
            )
            return stale + [SlotSet("transfer_amount", None)]
        except LimitExceeded as err:
            dispatcher.utter_message(response="utter_transfer_limit_exceeded",
                                     limit=_limit_text(err))
            return stale + [SlotSet("transfer_amount", None)]
        except InvalidAmount as err:
            dispatcher.utter_message(response="utter_transfer_amount_invalid",
                                     problem=user_message(err))
            return stale + [SlotSet("transfer_amount", None)]
        except InvalidRequest as err:
            if err.details.get("field") == "currency":
                dispatcher.utter_message(response="utter_transfer_no_account", currency=currency)
                return stale + [SlotSet("transfer_amount", None),
                                SlotSet("transfer_currency", None)]
            return stale + self._stop_events(dispatcher, err, "quote")
        except BankError as err:
            return stale + self._stop_events(dispatcher, err, "quote")
        own = result.get("route") == "own"
        recipient = result.get("recipient_masked_name") if own else (
            tracker.get_slot("transfer_recipient") or "another bank"
        )
        quote = {
            "quote_id": result.get("quote_id"),
            "to_card_token": card,
            "requested_amount": amount,
            "amount": str(result.get("amount")),
            "fee": str(result.get("fee")),
            "total": str(result.get("total")),
            "currency": str(result.get("currency") or currency),
            "route": result.get("route"),
            "requires_step_up": bool(result.get("requires_step_up")),
        }
        return [
            SlotSet("transfer_quote_id", quote["quote_id"]),
            SlotSet("transfer_quote", quote),
            SlotSet("transfer_recipient", recipient),
            SlotSet("transfer_confirmed", None),
        ]

    # -- confirmation ---------------------------------------------------------------------

    async def extract_transfer_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._expects(tracker, "transfer_confirmed"):
            return {}
        if latest_intent(tracker) == "affirm":
            return {"transfer_confirmed": True}
        return {}

    async def validate_transfer_confirmed(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        quote = tracker.get_slot("transfer_quote") or {}
        if not value or not quote.get("quote_id"):
            return {"transfer_confirmed": None}
        if quote.get("requires_step_up"):
            return await self._start_step_up(dispatcher, tracker, quote)
        return await self._execute(dispatcher, tracker, quote, step_up_token=None)

    async def _start_step_up(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, quote: dict[str, Any]
    ) -> dict[str, Any]:
        if not quote.get("quote_id"):
            return {"transfer_confirmed": None}
        try:
            challenge = await get_bank().rest.start_step_up(
                identity(tracker), STEP_UP_PURPOSE, quote["quote_id"]
            )
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            return {"transfer_status": "failed", "otp_code": None}
        except BankError as err:
            return self._stop(dispatcher, err, "step-up")
        dispatcher.utter_message(
            response="utter_transfer_step_up_needed",
            threshold=format_money(step_up_threshold(), quote.get("currency") or "UAH"),
            phone_masked=challenge.get("masked_phone") or "your phone",
        )
        return {
            "transfer_confirmed": True,
            "transfer_quote": {**quote, "requires_step_up": True},
            "step_up_challenge_id": challenge.get("challenge_id"),
            "phone_masked": challenge.get("masked_phone"),
            "otp_code": None,
        }

    # -- step-up code --------------------------------------------------------------------------

    async def extract_otp_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._expects(tracker, "otp_code"):
            return {}
        text = (tracker.latest_message or {}).get("text") or ""
        if latest_intent(tracker) == "resend_code" or RESEND_RE.search(text):
            return {"otp_code": RESEND}
        ref = OTP_REF_RE.search(text)
        if ref:
            return {"otp_code": ref.group(0)}
        plain = PLAIN_CODE_RE.search(message_text(tracker.latest_message or {}))
        if plain:
            # Verified in validate_otp_code and replaced before the events leave this server.
            return {"otp_code": re.sub(r"\D", "", plain.group(1))}
        return {}

    async def validate_otp_code(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        quote = tracker.get_slot("transfer_quote") or {}
        if not value:
            return {"otp_code": None}
        challenge_id = tracker.get_slot("step_up_challenge_id")
        if value == RESEND or not challenge_id:
            return await self._start_step_up(dispatcher, tracker, quote)
        value = str(value)
        is_ref = value.startswith("otok_")
        try:
            if is_ref:
                result = await get_bank().rest.verify_otp(challenge_id, secret_ref=value)
            else:
                result = await get_bank().rest.verify_otp(challenge_id, code=value)
        except OtpInvalid as err:
            dispatcher.utter_message(text=user_message(err))
            if err.attempts_left is not None and err.attempts_left <= 0:
                dispatcher.utter_message(response="utter_transfer_otp_failed")
                return {"otp_code": None, "transfer_status": "failed"}
            return {"otp_code": None}
        except (OtpExpired, NotFound):
            return await self._start_step_up(dispatcher, tracker, quote)
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            dispatcher.utter_message(response="utter_transfer_otp_failed")
            return {"otp_code": None, "transfer_status": "failed"}
        except BankError as err:
            return {"otp_code": None, **self._stop(dispatcher, err, "step-up verify")}
        token = result.get("step_up_token")
        outcome = await self._execute(dispatcher, tracker, quote, step_up_token=token)
        return {"otp_code": REDACTED_CODE, "step_up_challenge_id": None, **outcome}

    # -- execution ---------------------------------------------------------------------------

    async def _execute(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        quote: dict[str, Any],
        step_up_token: str | None,
    ) -> dict[str, Any]:
        key = idempotency_key(tracker.sender_id, quote["quote_id"])
        try:
            result = await get_bank().rest.execute_transfer(
                identity(tracker), quote["quote_id"], step_up_token, key
            )
        except OtpRequired:
            return await self._start_step_up(
                dispatcher, tracker, {**quote, "requires_step_up": True}
            )
        except BankUnavailable:
            # Outcome unknown. The retry reuses the same key, so it cannot send twice.
            dispatcher.utter_message(response="utter_transfer_bank_unavailable_retry")
            return {"transfer_confirmed": None, "otp_code": None, "step_up_challenge_id": None}
        except InvalidRequest as err:
            if err.details.get("reason") == "quote_expired":
                dispatcher.utter_message(response="utter_transfer_quote_expired")
                # The requote happens right after this validation (_quote_if_ready).
                return {"transfer_confirmed": None, "transfer_quote": None,
                        "transfer_quote_id": None, "otp_code": None}
            dispatcher.utter_message(response="utter_transfer_failed", reason=user_message(err))
            return {"transfer_status": "failed"}
        except (InsufficientFunds, LimitExceeded, CardBlocked, NotFound) as err:
            dispatcher.utter_message(response="utter_transfer_failed", reason=user_message(err))
            return {"transfer_status": "failed"}
        except BankError as err:
            return self._stop(dispatcher, err, "transfer")
        logger.info("transfer %s completed", result.get("transfer_id"))
        return {
            "transfer_confirmed": True,
            "transfer_status": "completed",
            "transfer_result": {
                "transfer_id": result.get("transfer_id"),
                "amount": str(result.get("amount")),
                "fee": str(result.get("fee")),
                "total": str(result.get("total") or ""),
                "currency": result.get("currency"),
                "route": result.get("route"),
                "recipient_masked": result.get("recipient_masked"),
                "balance_after": str(result.get("balance_after")),
                "receipt_no": result.get("receipt_no"),
                "at": result.get("at"),
            },
        }

    # -- errors that end the flow --------------------------------------------------------------

    def _stop_events(
        self, dispatcher: CollectingDispatcher, err: BankError, what: str
    ) -> list[EventType]:
        return [SlotSet(k, v) for k, v in self._stop(dispatcher, err, what).items()]

    def _stop(self, dispatcher: CollectingDispatcher, err: BankError, what: str) -> dict:
        """Session gone or bank down: one clear answer, nothing sent, the form ends."""
        logger.warning("transfer %s failed: bank error %s", what, err.code)
        if isinstance(err, LoginRequired):
            dispatcher.utter_message(response="utter_transfer_session_expired")
            return {"transfer_status": "failed",
                    **{e["name"]: e["value"] for e in logged_out_events()}}
        apologise(dispatcher, err)
        return {"transfer_status": "failed"}


def _activating(tracker: Tracker) -> bool:
    """The form is starting: Rasa gives the validation no requested slot yet."""
    return tracker.get_slot("requested_slot") is None


def _clear_card() -> list[EventType]:
    return [SlotSet("transfer_card_token", None), SlotSet("transfer_card_masked", None)]


def step_up_threshold() -> Decimal:
    """Shown to the customer only; the bank decides (quote's `requires_step_up`)."""
    try:
        return Decimal(os.environ.get("STEP_UP_THRESHOLD") or "500.00")
    except ArithmeticError:
        return Decimal("500.00")


class ActionAskTransferConfirmed(Action):
    """Shows the quote: recipient, fee and total, with Send / Change the amount / Cancel."""

    def name(self) -> str:
        return "action_ask_transfer_form_transfer_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        quote = tracker.get_slot("transfer_quote") or {}
        currency = quote.get("currency") or DEFAULT_CURRENCY
        params = {
            "amount": money_text(quote.get("amount") or "0", currency),
            "fee": money_text(quote.get("fee") or "0", currency),
            "total": money_text(quote.get("total") or "0", currency),
            "card_masked": tracker.get_slot("transfer_card_masked") or "the card",
            "recipient": tracker.get_slot("transfer_recipient") or "recipient",
        }
        response = "utter_transfer_quote_own" if quote.get("route") == "own" else (
            "utter_transfer_quote_network"
        )
        dispatcher.utter_message(response=response, **params)
        return []


class ActionTransferCompleted(Action):
    """The end of transfer_form: on success the summary, the receipt and the new balance."""

    def name(self) -> str:
        return "action_transfer_completed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        result = tracker.get_slot("transfer_result") or {}
        if tracker.get_slot("transfer_status") == "completed" and result:
            from actions.receipts import receipt_url

            currency = result.get("currency") or DEFAULT_CURRENCY
            card_masked = tracker.get_slot("transfer_card_masked") or result.get(
                "recipient_masked"
            )
            dispatcher.utter_message(
                response="utter_transfer_done",
                amount=money_text(result.get("amount") or "0", currency),
                fee=money_text(result.get("fee") or "0", currency),
                balance=money_text(result.get("balance_after") or "0", currency),
                card_masked=card_masked,
                receipt_no=result.get("receipt_no"),
            )
            url = receipt_url(
                {**result, "recipient_masked": card_masked,
                 "recipient_name": tracker.get_slot("transfer_recipient")}
            )
            dispatcher.utter_message(response="utter_transfer_receipt_caption", image_url=url)
        return [SlotSet(name, None) for name in TRANSFER_SLOTS]


class ActionCancelTransfer(Action):
    def name(self) -> str:
        return "action_cancel_transfer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_transfer_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *[SlotSet(name, None) for name in TRANSFER_SLOTS],
        ]
