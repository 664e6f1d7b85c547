"""`tariff_card_form`: personal and passport data and consent for the Digital Tariff Card.

Every value goes through the form's Cerberus schema (`schemas`); a rejected value gets the reason
and the same question again. Personal data kept to what is needed: the passport number is only
ever a vault reference plus a mask, and the date of birth is kept sealed
(`actions.common.sealing`) until it is sent to the bank.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.form_base import CardFormValidation, strip_name_lead
from actions.cards.schemas import UNDERAGE, check_field
from actions.cards.slots import ABORT_SLOT, TARIFF_SLOTS
from actions.cards.tariff_message import DATE_RE, LIVES_AT_RE, TariffMessage
from actions.common.bank import bank
from actions.common.conversation import typed_text
from actions.common.flow.wording import CHANGE_WHAT
from actions.common.login_gate import apologise
from actions.common.sealing import is_sealed, seal, unseal
from bankclient import BankError, refs

logger = logging.getLogger(__name__)


def mask_passport(number: str) -> str:
    return f"{number[:2]}{'•' * (len(number) - 4)}{number[-2:]}" if len(number) > 4 else "••••"


# "sorry, I spelled my name wrong, it's Oksana Petrenko-Koval", "my name is …", "name: …"
_NAME_FIX_RE = re.compile(
    r"\b(?:my (?:full )?name is|my name's|name is|name:|(?:it'?s|it is|should be))\s+"
    r"(?P<name>[^\W\d_]+(?:['’.-][^\W\d_]+)*(?:\s+[^\W\d_]+(?:['’.-][^\W\d_]+)*){0,3})",
    re.IGNORECASE,
)
# A name given earlier in the conversation: only when the customer said it was their name.
_GIVEN_NAME_RE = re.compile(
    r"\b(?:my (?:full )?name is|my name's|name:|in the name of)\s+"
    r"(?P<name>[^\W\d_]+(?:['’-][^\W\d_]+)*(?:\s+[^\W\d_]+(?:['’-][^\W\d_]+)*){1,2})",
    re.IGNORECASE,
)
_NAME_WORD_RE = re.compile(r"\bnames?\b|\bspel", re.IGNORECASE)
_BIRTH_RE = re.compile(r"\b(born|birth|birthday|dob|wrong date|date is wrong)\b", re.IGNORECASE)
_CHANGE_RE = re.compile(r"\b(change|correct|fix|edit|wrong)\b|змінити|исправ|виправ", re.I)


def corrected_name(message: dict[str, Any]) -> str | None:
    text = typed_text(message)
    if not _NAME_WORD_RE.search(text):
        return None
    match = _NAME_FIX_RE.search(text)
    name = strip_name_lead(match.group("name")) if match else None
    problem = check_field("tariff_card_form", "full_name", name)[1] if name else True
    return None if problem else name


def corrected_birth_date(message: dict[str, Any]) -> str | None:
    text = typed_text(message)
    match = DATE_RE.search(text) if _BIRTH_RE.search(text) else None
    return match.group(1) if match else None


def corrected_address(message: dict[str, Any]) -> str | None:
    match = LIVES_AT_RE.search(typed_text(message))
    return match.group("where").strip(" .,") if match else None


class ValidateTariffCardForm(CardFormValidation):
    """The Digital Tariff Card application. The KYC submission follows the confirmation rule:
    the terms question comes with a summary of the application and a "change something"
    button, and only an explicit yes submits."""

    form = "tariff_card_form"
    intent = "issue_card"
    slots = TARIFF_SLOTS
    free_text = frozenset({"full_name", "home_address", "passport_authority"})
    confirm_slot = "terms_consent"
    corrections = {
        "full_name": ("name", corrected_name),
        "date_of_birth": ("date of birth", corrected_birth_date),
        "home_address": ("home address", corrected_address),
    }

    def name(self) -> str:
        return "validate_tariff_card_form"

    def on_start(self, tracker: Tracker) -> dict[str, Any]:
        """A name given earlier in this conversation ("a card, my name is Oksana Petrenko") is
        used, not asked again."""
        for event in reversed(tracker.events):
            if event.get("event") != "user":
                continue
            parse = event.get("parse_data") or {}
            asked_card = (parse.get("intent") or {}).get("name") == self.intent
            parts = [str(e.get("value")) for e in parse.get("entities") or []
                     if e.get("entity") == "person_name" and asked_card]
            match = _GIVEN_NAME_RE.search(event.get("text") or "")
            for name in (match.group("name") if match else None, " ".join(parts)):
                if name and not check_field(self.form, "full_name", name)[1]:
                    return {"full_name": check_field(self.form, "full_name", name)[0]}
        return {}

    async def run(self, dispatcher, tracker, domain):  # type: ignore[override]
        events = await super().run(dispatcher, tracker, domain)
        next_slot = next((e["value"] for e in reversed(events)
                          if e.get("name") == "requested_slot"), None)
        if next_slot == self.confirm_slot:
            dispatcher.utter_message(text=self.summary(tracker), buttons=[
                {"title": "Change something", "payload": "/inform"}])
        return events

    def summary(self, tracker: Tracker) -> str:
        born = unseal(tracker.get_slot("date_of_birth")) or ""
        return (
            "Please check your application:\n"
            f"Name: {tracker.get_slot('full_name') or ''}\n"
            f"Date of birth: {born}\n"
            f"Home address: {tracker.get_slot('home_address') or ''}\n"
            f"Passport: {tracker.get_slot('passport_masked') or 'received'}, issued "
            f"{tracker.get_slot('passport_issue_date') or ''} by "
            f"{tracker.get_slot('passport_authority') or ''}"
        )

    async def instead(self, dispatcher, tracker):  # type: ignore[override]
        """"Change something" (the button, or said): what to send to change it."""
        message = tracker.latest_message or {}
        if (message.get("text") or "").strip() == "/inform" or _CHANGE_RE.search(
                typed_text(message)):
            dispatcher.utter_message(text=CHANGE_WHAT)
            return {"terms_consent": None}
        return {}

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        message = tracker.latest_message or {}
        fixes = {name: read(message) for name, (_, read) in self.corrections.items()
                 if tracker.get_slot(name) is not None and not self.asked(tracker, name)}
        if fixes.get(slot) is not None:
            return {slot: fixes[slot]}  # a correction's own reading wins over the guesses
        if any(v is not None for v in fixes.values()) and self.asked(tracker, slot):
            return {}  # the message corrected an earlier answer: it doesn't answer this one
        value = TariffMessage.read(tracker).values.get(slot)
        return {slot: value} if value is not None else {}

    async def extract_full_name(self, dispatcher, tracker, domain):
        return self._extract("full_name", tracker)

    async def extract_date_of_birth(self, dispatcher, tracker, domain):
        return self._extract("date_of_birth", tracker)

    async def extract_home_address(self, dispatcher, tracker, domain):
        found = self._extract("home_address", tracker)
        if tracker.get_slot("requested_slot") == "home_address":
            answer = found.get("home_address") or typed_text(tracker)
            if merged := self._completed_address(tracker, "home_address", answer):
                return {"home_address": merged}
        return found

    async def extract_home_address_confirmed(self, dispatcher, tracker, domain):
        """The normalised home address, shown in its own yes / no step: no → asked again."""
        return self._address_confirmation(tracker, "home_address")

    async def extract_passport_number(self, dispatcher, tracker, domain):
        return self._extract("passport_number", tracker)

    async def extract_passport_issue_date(self, dispatcher, tracker, domain):
        return self._extract("passport_issue_date", tracker)

    async def extract_passport_authority(self, dispatcher, tracker, domain):
        return self._extract("passport_authority", tracker)

    async def extract_terms_consent(self, dispatcher, tracker, domain):
        return self._extract("terms_consent", tracker)

    async def validate_full_name(self, value, dispatcher, tracker, domain):
        clean, ok = self._check("full_name", value, dispatcher)
        return {"full_name": clean if ok else None}

    async def validate_date_of_birth(self, value, dispatcher, tracker, domain):
        if value is None or is_sealed(value):
            return {"date_of_birth": value}
        clean, problem = check_field(self.form, "date_of_birth", value)
        if problem == UNDERAGE:
            # Not a typo to fix: say why, stop the application, keep nothing.
            dispatcher.utter_message(response="utter_card_underage")
            return {"date_of_birth": None, ABORT_SLOT: True}
        if problem:
            dispatcher.utter_message(text=problem)
            return {"date_of_birth": None}
        return {"date_of_birth": seal(clean)}

    async def validate_home_address(self, value, dispatcher, tracker, domain):
        clean, ok = self._check("home_address", value, dispatcher)
        if not ok:
            return {"home_address": None}
        # A new address (first, or sent again at any later step) is confirmed in its own step.
        return {"home_address": clean, "home_address_confirmed": None}

    async def validate_passport_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        clean, ok = self._check("passport_number", value, dispatcher)
        if not ok:
            return {"passport_number": None, "passport_masked": None}
        if clean.startswith(refs.PASSPORT_PREFIX):
            # Already in the vault (the channel swapped it): we never see the number itself.
            return {"passport_number": clean}
        # Typed in clear where no redacting channel ran: put it in the vault before anything
        # else, so only the reference is kept.
        try:
            stored = await bank().vault.store_secret("passport", clean)
        except BankError as err:
            logger.warning("could not vault a passport number: bank error %s", err.code)
            apologise(dispatcher, err)
            return {"passport_number": None, ABORT_SLOT: True}
        return {"passport_number": stored.secret_ref, "passport_masked": mask_passport(clean)}

    async def validate_passport_issue_date(self, value, dispatcher, tracker, domain):
        clean, ok = self._check("passport_issue_date", value, dispatcher)
        if not ok:
            return {"passport_issue_date": None}
        born = unseal(tracker.get_slot("date_of_birth"))
        if born and clean <= born:
            dispatcher.utter_message(response="utter_card_issue_before_birth")
            return {"passport_issue_date": None}
        return {"passport_issue_date": clean}

    async def validate_passport_authority(self, value, dispatcher, tracker, domain):
        clean, ok = self._check("passport_authority", value, dispatcher)
        return {"passport_authority": clean if ok else None}

    async def validate_terms_consent(self, value, dispatcher, tracker, domain):
        clean, ok = self._check("terms_consent", value, dispatcher)
        return {"terms_consent": True if ok and clean else None}
