"""`tariff_card_form`: personal and passport data and consent for the Digital Tariff Card.

Every value goes through the form's Cerberus schema (`schemas`); a rejected value gets the reason
and the same question again. Personal data kept to what is needed: the passport number is only
ever a vault reference plus a mask, and the date of birth is kept sealed
(`actions.common.sealing`) until it is sent to the bank.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.form_base import CardFormValidation
from actions.cards.schemas import UNDERAGE, check_field
from actions.cards.slots import ABORT_SLOT
from actions.cards.tariff_message import TariffMessage
from actions.common.bank import bank
from actions.common.conversation import typed_text
from actions.common.login_gate import apologise
from actions.common.sealing import is_sealed, seal, unseal
from bankclient import BankError, refs

logger = logging.getLogger(__name__)


def mask_passport(number: str) -> str:
    return f"{number[:2]}{'•' * (len(number) - 4)}{number[-2:]}" if len(number) > 4 else "••••"


class ValidateTariffCardForm(CardFormValidation):
    form = "tariff_card_form"

    def name(self) -> str:
        return "validate_tariff_card_form"

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
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
