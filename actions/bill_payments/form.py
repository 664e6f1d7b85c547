"""`bill_form`'s validation: provider, account, amount (with the debt offered first), the quote
(fee, total, step-up), confirmation, the step-up code and the payment. See the package's
docstring for the conversation.

The form reads the slot it asked for from the message text (and the request itself when it
starts); a number it did not ask for never overwrites another slot.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bill_payments import catalog
from actions.bill_payments.cancel import say_cancelled
from actions.bill_payments.flow import BILL_SLOTS, CHALLENGE_SLOT, INTENT, payment_key, stop
from actions.bill_payments.pay import ask_step_up, pay
from actions.common.bank import bank
from actions.common.conversation import identity, latest_intent, request_message, typed_text
from actions.common.flow import YES, read_confirmation
from actions.common.flow.amount import check_amount
from actions.common.money import format_money
from actions.common.otp import OTP_SLOT, StepUpValidation
from actions.common.parsing import amount_in, entity_values, parse_customer_amount
from bankclient import (
    BankError,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    NotFound,
    Provider,
)
from bankclient.money import from_api

_BOUNDARIES = frozenset({"action_bill_completed", "action_cancel_bill", "action_restart"})
REPEAT_RE = re.compile(
    r"\b(again|same as (?:last|before|previous)|as last (?:time|month)|repeat|one more time|"
    r"like last (?:time|month))\b",
    re.IGNORECASE,
)
# "account 123456", "contract no. DG1234567", "card 1234 5678 9012", "meter 04512"
_ACCOUNT_RE = re.compile(
    r"\b(?:account|acc|acct|contract|ref|personal account|number|no|id|card|ticket|#|№)"
    r"\s*(?:no\.?|number|#|№)?\s*[:#№.]?\s*([A-Za-z]{0,2}\d[\d \-]{3,}\d)",
    re.IGNORECASE,
)
_METER_RE = re.compile(r"\bmeter(?:\s+reading)?\s*(?:is|:)?\s*(\d{1,6})\b", re.IGNORECASE)
_LONG_NUMBER_RE = re.compile(r"(?<![\w.,])[A-Za-z]{0,2}\d(?:[ -]?\d){5,}(?![\w])")
OTHER_AMOUNT = "other"
METER_SLOT, METER_SLOT_FIELD = "bill_meter", "meter"
_DIGITS_RE = re.compile(r"\d[\d \-]*")
# Words of a request that do not name a provider: what is left is what the customer called it.
_NOT_A_NAME = frozenset("""
a an the my our me i to for on of at in with from and please pls plz can could would you u want
wanna need like id im just now today again pay paying payment payments pays top up topup put buy
send transfer bill bills invoice invoices service services some something money uah hryvnia hryvnias
hrn grn usd eur dollars euros amount account acc number no sum fee it this that off contract
ref personal card ticket meter reading id code ok okay hi hello hey thanks thank mom mum dad
wife husband son daughter friend home house month monthly last next this week year due owe
owed debt all full quickly asap everything anything whatever
""".split())
_NAME_RE = re.compile(r"[^\W\d_][\w'’&.-]*", re.UNICODE)


def _activating(tracker: Tracker) -> bool:
    return tracker.get_slot("requested_slot") is None


def _strip(text: str, *parts: str | None) -> str:
    for part in parts:
        if part:
            text = text.replace(part, " ")
    return text


class ValidateBillForm(StepUpValidation):
    challenge_slot = CHALLENGE_SLOT
    otp_failed_response = "utter_bill_otp_failed"
    ended_by = "bill_status"

    def name(self) -> str:
        return "validate_bill_form"

    async def questions(self, slots: list[str], tracker: Tracker) -> list[str]:
        if METER_SLOT not in slots and await self._takes_meter(tracker):
            slots.insert(slots.index("bill_account") + 1, METER_SLOT)
        quote = tracker.get_slot("bill_quote") or {}
        if tracker.get_slot("bill_confirmed") and quote.get("requires_step_up"):
            slots.append(OTP_SLOT)
        return slots

    @staticmethod
    async def _takes_meter(tracker: Tracker) -> bool:
        """The provider's catalog fields include a meter reading (then the form asks it)."""
        try:
            provider = catalog.by_id(await catalog.providers(), tracker.get_slot("bill_provider"))
        except BankError:
            return False
        return provider is not None and provider.field(METER_SLOT_FIELD) is not None

    # -- the turn ------------------------------------------------------------------------

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = []

        def put(values: dict[str, Any]) -> None:
            events.extend(SlotSet(k, v) for k, v in values.items())
            tracker.slots.update(values)

        try:
            catalog_ = await catalog.providers()
        except BankError as err:
            put(stop(dispatcher, err, "catalog"))
            return events + [SlotSet("requested_slot", None)]
        requested = tracker.get_slot("requested_slot")
        if requested and latest_intent(tracker) == "deny":
            # The rule "cancel the payment" normally answers a "no"; if the form is handed it
            # anyway, it is still a cancellation, never an answer to the question.
            await say_cancelled(dispatcher, tracker)
            put({name: None for name in BILL_SLOTS})
            put({"bill_status": "cancelled"})
            return events + [SlotSet("requested_slot", None)]
        if _activating(tracker):
            put({name: None for name in BILL_SLOTS})
            await self._read_request(dispatcher, tracker, catalog_, put)
        elif requested == OTP_SLOT:
            otp_events = await super().run(dispatcher, tracker, domain)
            put({e["name"]: e["value"] for e in otp_events
                 if e.get("event") == "slot" and e.get("name") != "requested_slot"})
        else:
            await self._read_answer(requested, dispatcher, tracker, catalog_, put)
        if not tracker.get_slot("bill_status"):
            await self._advance(dispatcher, tracker, catalog_, put)
        required = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain
        )
        missing = next((s for s in required if tracker.slots.get(s) is None), None)
        return events + [SlotSet("requested_slot", missing)]

    # -- reading the request ---------------------------------------------------------------

    async def _read_request(self, dispatcher, tracker, catalog_, put) -> None:
        message = request_message(tracker, INTENT, _BOUNDARIES)
        text = typed_text(message)
        template_id = next(iter(entity_values(message, "bill_template")), None)
        if template_id and await self._from_template(dispatcher, tracker, template_id, put):
            return
        provider = self._provider_from(message, text, catalog_)
        category = next(iter(entity_values(message, "bill_category")), None)
        category = category if category in catalog.CATEGORIES else catalog.category_in(text)
        if provider is None and REPEAT_RE.search(text):
            if await self._repeat(dispatcher, tracker, category, put):
                return
        elif provider is not None and REPEAT_RE.search(text):
            if await self._repeat(dispatcher, tracker, provider.category, put, provider):
                return
        phones = catalog.phones_in(text)
        account_raw = None
        if provider is None and phones and category in (None, "mobile"):
            provider = catalog.mobile_for(catalog_, phones[0])
            account_raw = phones[0]
            if provider is None:
                dispatcher.utter_message(response="utter_bill_no_operator")
        if provider is not None:
            category = provider.category
        elif category is None and not phones:
            name = self._unknown_name(message, text)
            if name:  # "pay skynet 100": say so before the category buttons
                dispatcher.utter_message(response="utter_bill_provider_not_found", name=name)
        put({"bill_category": category})
        match = _ACCOUNT_RE.search(text)
        if account_raw is None and match:
            account_raw = match.group(1)
        if account_raw is None and provider is not None and provider.category == "mobile":
            account_raw = phones[0] if phones else None
        if account_raw is None:
            long_number = _LONG_NUMBER_RE.search(text)
            if long_number and not (category == "mobile" and not phones):
                account_raw = long_number.group(0)
        meter = _METER_RE.search(text)
        rest = _strip(text, account_raw, match.group(0) if match else None,
                      meter.group(0) if meter else None, *phones)
        amount_message = {"text": rest, "entities": [
            e for e in message.get("entities") or [] if e.get("entity") in ("amount", "currency")
        ]}
        own = (
            category == "mobile"
            and account_raw is None
            and (catalog.OWN_PHONE_RE.search(text) or not phones)
        )
        self._amount(dispatcher, amount_in(amount_message, answer_expected=True), put)
        if own and tracker.get_slot("bill_amount") and provider is None:
            # "top up my phone 100": number, operator, fee and total in one call to the bank
            if await self._own_phone_quote(dispatcher, tracker, catalog_, put):
                return
        if own:
            await self._own_phone(dispatcher, tracker, catalog_, provider, put)
        elif provider is not None:
            put({"bill_provider": provider.provider_id})
        if meter:
            put({"bill_meter": meter.group(1)})
        if account_raw and tracker.get_slot("bill_account") is None:
            put({"bill_account_raw": account_raw})

    @staticmethod
    def _unknown_name(message, text: str) -> str | None:
        """What the customer called a provider the catalog does not have: the NLU's provider
        entity, else the words of the request that are neither request words, a category,
        an amount nor a number ("pay skynet 100" → "skynet"). Never digits (an account or a
        card number typed by mistake is not echoed)."""
        named = next(iter(entity_values(message, "bill_provider")), None)
        if named and not any(ch.isdigit() for ch in str(named)):
            return str(named).strip()[:40] or None
        skip = {str(e.get("value") or "").lower() for e in message.get("entities") or []}
        words = [w for w in _NAME_RE.findall(text or "")
                 if w.lower().strip(".'’") not in _NOT_A_NAME and w.lower() not in skip
                 and not any(ch.isdigit() for ch in w) and not w.startswith("_")
                 and not catalog.category_in(w) and not REPEAT_RE.search(w)
                 and parse_customer_amount(w)[0] is None]
        return " ".join(words)[:40] or None

    def _provider_from(self, message, text, catalog_) -> Provider | None:
        for value in entity_values(message, "bill_provider"):
            found = catalog.by_id(catalog_, value) or catalog.provider_in(catalog_, value)
            if found:
                return found
        return catalog.provider_in(catalog_, text)

    async def _own_phone(self, dispatcher, tracker, catalog_, provider, put) -> None:
        try:
            own = await bank().bills.own_phone(identity(tracker))
        except NotFound:
            dispatcher.utter_message(response="utter_bill_no_operator")
            return
        except BankError as err:
            put(stop(dispatcher, err, "own phone"))
            return
        if provider is not None and provider.provider_id != own.provider_id:
            # "top up my phone, kyivstar" for a Vodafone number: ask which number then
            put({"bill_provider": provider.provider_id})
            return
        put({"bill_provider": own.provider_id, "bill_account": own.account})

    async def _own_phone_quote(self, dispatcher, tracker, catalog_, put) -> bool:
        """The quote for the customer's own number (the bank knows it and its operator); False
        when that did not work out and the step by step way should try."""
        amount = from_api(tracker.get_slot("bill_amount"))
        try:
            quote = await bank().bills.quote(None, None, amount, own_phone_of=identity(tracker))
        except (NotFound, InvalidAmount, InvalidRequest):
            return False  # the usual path says what is wrong, one question at a time
        except InsufficientFunds:
            return False  # the usual path quotes again and says so, before any code
        except BankError as err:
            put(stop(dispatcher, err, "quote"))
            return True
        provider = catalog.by_id(catalog_, quote.provider_id)
        if provider is None:
            return False
        put({"bill_provider": provider.provider_id, "bill_category": provider.category})
        put(self._quote_slots(tracker, provider, quote))
        return True

    async def _repeat(self, dispatcher, tracker, category, put, provider=None) -> bool:
        """"Pay my phone again": the last payment to that provider (or in that category)."""
        try:
            last = await bank().bills.history(
                identity(tracker),
                provider_id=provider.provider_id if provider else None,
                category=None if provider else category,
                limit=1,
            )
        except BankError as err:
            put(stop(dispatcher, err, "history"))
            return True
        if not last:
            dispatcher.utter_message(response="utter_bill_nothing_to_repeat")
            return False
        put({"bill_provider": last[0].provider_id, "bill_account": last[0].account,
             "bill_amount": str(last[0].amount), "bill_category": last[0].category})  # fmt: skip
        return True

    async def _from_template(self, dispatcher, tracker, template_id, put) -> bool:
        try:
            templates = await bank().bills.templates(identity(tracker))
        except BankError as err:
            put(stop(dispatcher, err, "templates"))
            return True
        template = next((t for t in templates if t.template_id == template_id), None)
        if template is None:
            dispatcher.utter_message(response="utter_bill_template_not_found")
            return False
        put({"bill_provider": template.provider_id, "bill_account": template.account,
             "bill_amount": str(template.amount) if template.amount is not None else None})
        return True

    # -- reading an answer -----------------------------------------------------------------

    async def _read_answer(self, requested, dispatcher, tracker, catalog_, put) -> None:
        message = tracker.latest_message or {}
        text = typed_text(message)
        intent = latest_intent(tracker)
        if requested == "bill_provider":
            provider = self._provider_from(message, text, catalog_)
            category = next(iter(entity_values(message, "bill_category")), None)
            if category not in catalog.CATEGORIES:
                category = catalog.category_in(text)
            phones = catalog.phones_in(text)
            if provider is None and phones:
                provider = catalog.mobile_for(catalog_, phones[0])
                if provider is not None:
                    put({"bill_account_raw": phones[0]})
            if provider is not None:
                put({"bill_provider": provider.provider_id, "bill_category": provider.category})
            elif category is not None:
                if category == "mobile" and catalog.OWN_PHONE_RE.search(text):
                    put({"bill_category": category})
                    await self._own_phone(dispatcher, tracker, catalog_, None, put)
                else:
                    put({"bill_category": category})
            elif text:
                dispatcher.utter_message(response="utter_bill_unknown_provider")
                put({"bill_category": None})
        elif requested == "bill_account":
            if intent in ("inform", INTENT) or text:
                provider = catalog.by_id(catalog_, tracker.get_slot("bill_provider"))
                own = provider is not None and provider.category == "mobile" and (
                    catalog.OWN_PHONE_RE.search(text))
                if own:
                    await self._own_phone(dispatcher, tracker, catalog_, provider, put)
                else:
                    candidates = catalog.phones_in(text) if provider and (
                        provider.category == "mobile") else []
                    match = _ACCOUNT_RE.search(text)
                    raw = candidates[0] if candidates else (match.group(1) if match else text)
                    put({"bill_account_raw": raw.strip()})
        elif requested == METER_SLOT:
            # Only the reading: a number the form did not ask for never becomes the amount.
            found = _METER_RE.search(text) or _DIGITS_RE.search(text)
            if found:
                put({METER_SLOT: (found.group(1) if found.re is _METER_RE else found.group(0))
                     .strip()})
            elif text:
                provider = catalog.by_id(catalog_, tracker.get_slot("bill_provider"))
                field = provider.field(METER_SLOT_FIELD) if provider else None
                dispatcher.utter_message(response="utter_bill_field_invalid", problem=(
                    f"{field.label if field else 'The meter reading'} must be "
                    f"{field.hint if field else 'digits'}."))
                put({METER_SLOT: None})  # a slot event, or Rasa rejects the form
        elif requested == "bill_amount":
            debt = tracker.get_slot("bill_debt") or {}
            if intent == "affirm" and debt.get("amount") and from_api(debt["amount"]) > 0:
                put({"bill_amount": debt["amount"]})
                return
            raw = amount_in(message, answer_expected=True)
            if raw is None:
                # "yes" with nothing owed to accept, "change it": still no amount, say so
                if intent in ("inform", INTENT, "affirm", "change_amount") and text:
                    dispatcher.utter_message(response="utter_bill_amount_invalid",
                                             problem="I didn't catch an amount there.")
                    put({"bill_amount": None})  # a slot event, or Rasa rejects the form
                return
            self._amount(dispatcher, raw, put)
        elif requested == "bill_confirmed":
            if read_confirmation(message) == YES:  # the engine's rule: only an explicit yes pays
                await self._confirmed(dispatcher, tracker, put)
                return
            raw = amount_in(message, answer_expected=False)
            if raw is not None:  # "make it 150", "change the amount to 150": quoted again
                self._amount(dispatcher, raw, put)
                put({"bill_quote": None})
            elif intent == "change_amount":  # no amount given: the form asks for it
                put({"bill_amount": None, "bill_quote": None, "bill_debt": None})

    def _amount(self, dispatcher, raw: str | None, put) -> None:
        if raw is None:
            return
        amount, problem = check_amount(raw)  # the one amount reader (actions.common.flow)
        if amount is None:
            dispatcher.utter_message(response="utter_bill_amount_invalid", problem=problem)
            put({"bill_amount": None})
            return
        put({"bill_amount": str(amount)})

    # -- what follows from what is known -------------------------------------------------

    async def _advance(self, dispatcher, tracker, catalog_, put) -> None:
        provider = catalog.by_id(catalog_, tracker.get_slot("bill_provider"))
        if provider is None:
            return
        raw = tracker.get_slot("bill_account_raw")
        if raw and tracker.get_slot("bill_account") is None:
            value, problem = catalog.check_field(provider, "account", raw)
            put({"bill_account_raw": None})
            if problem:
                dispatcher.utter_message(response="utter_bill_field_invalid", problem=problem)
            else:
                put({"bill_account": value})
        account = tracker.get_slot("bill_account")
        if account is None:
            return
        meter = tracker.get_slot(METER_SLOT)
        if meter:
            value, problem = catalog.check_field(provider, METER_SLOT_FIELD, meter)
            if problem:
                dispatcher.utter_message(response="utter_bill_field_invalid", problem=problem)
            put({METER_SLOT: value})
        amount = tracker.get_slot("bill_amount")
        if amount is None and provider.shows_debt and tracker.get_slot("bill_debt") is None:
            await self._debt(dispatcher, tracker, provider, account, put)
            return
        if provider.field(METER_SLOT_FIELD) is not None and not tracker.get_slot(METER_SLOT):
            return  # the form asks the reading first; quoted once it is known
        if amount is None:
            return
        problem = catalog.amount_problem(provider, from_api(amount))
        if problem:
            dispatcher.utter_message(response="utter_bill_amount_invalid", problem=problem)
            put({"bill_amount": None, "bill_quote": None})
            return
        if tracker.get_slot("bill_quote") is None:
            await self._quote(dispatcher, tracker, provider, account, amount, put)

    async def _debt(self, dispatcher, tracker, provider, account, put) -> None:
        try:
            debt = await bank().bills.debt(provider.provider_id, account)
        except NotFound:
            dispatcher.utter_message(response="utter_bill_account_unknown",
                                     provider=provider.name, account=catalog.mask(account))
            put({"bill_account": None})
            return
        except InvalidRequest as err:
            dispatcher.utter_message(response="utter_bill_field_invalid", problem=err.message)
            put({"bill_account": None})
            return
        except BankError as err:
            put(stop(dispatcher, err, "debt"))
            return
        put({"bill_debt": {"amount": str(debt.amount), "period": debt.period or ""}})

    async def _quote(self, dispatcher, tracker, provider, account, amount, put) -> None:
        try:
            quote = await bank().bills.quote(provider.provider_id, account, from_api(amount),
                                             tracker.get_slot("bill_meter"),
                                             identity=identity(tracker))
        except InsufficientFunds:
            # Said at the quote, before the confirmation and any step-up code (the posting
            # checks again when paying).
            total = from_api(amount) + provider.fee(from_api(amount))
            dispatcher.utter_message(response="utter_bill_amount_invalid", problem=(
                f"There isn't enough money on your account for this: the total with the fee is "
                f"{format_money(total)}."))
            put({"bill_amount": None, "bill_quote": None})
            return
        except NotFound:
            dispatcher.utter_message(response="utter_bill_account_unknown",
                                     provider=provider.name, account=catalog.mask(account))
            put({"bill_account": None})
            return
        except InvalidAmount as err:
            dispatcher.utter_message(response="utter_bill_amount_invalid", problem=err.message)
            put({"bill_amount": None})
            return
        except InvalidRequest as err:
            dispatcher.utter_message(response="utter_bill_field_invalid", problem=err.message)
            put({"bill_account": None})
            return
        except BankError as err:
            put(stop(dispatcher, err, "quote"))
            return
        put(self._quote_slots(tracker, provider, quote))

    @staticmethod
    def _quote_slots(tracker, provider: Provider, quote) -> dict[str, Any]:
        return {"bill_quote": {
            "provider_id": quote.provider_id,
            "provider_name": quote.provider_name or provider.name,
            "account_label": provider.account_label or "Account",
            "account": quote.account,
            "amount": str(quote.amount),
            "fee": str(quote.fee),
            "total": str(quote.total),
            "requires_step_up": quote.requires_step_up,
            "meter": tracker.get_slot("bill_meter"),
            "key": payment_key(tracker, quote.provider_id, quote.account, str(quote.amount)),
        }, "bill_account": quote.account}

    async def _confirmed(self, dispatcher, tracker, put) -> None:
        quote = tracker.get_slot("bill_quote") or {}
        if not quote.get("key"):
            return
        if quote.get("requires_step_up"):
            put(await ask_step_up(dispatcher, tracker, quote))
            return
        put(await pay(dispatcher, tracker, quote, step_up_token=None))

    # -- step-up code (actions.common.otp reads and verifies it) ---------------------------

    async def send_code(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        return await ask_step_up(dispatcher, tracker, tracker.get_slot("bill_quote") or {})

    async def operate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, step_up_token: str | None
    ) -> dict[str, Any]:
        quote = tracker.get_slot("bill_quote") or {}
        return await pay(dispatcher, tracker, quote, step_up_token=step_up_token)

    def bank_failed(
        self, dispatcher: CollectingDispatcher, err: BankError, what: str
    ) -> dict[str, Any]:
        return stop(dispatcher, err, what)


def quote_text(quote: dict[str, Any]) -> dict[str, str]:
    return {
        "provider": quote.get("provider_name") or "",
        "account_label": (quote.get("account_label") or "account").lower(),
        "account": catalog.mask(quote.get("account")),
        "amount": format_money(from_api(quote["amount"])),
        "fee": format_money(from_api(quote["fee"])),
        "total": format_money(from_api(quote["total"])),
    }
