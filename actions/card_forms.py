"""Form validation for the card flows: basic card (name), Digital Tariff Card (personal + passport
data, consent), plastic card (delivery address).

Several fields in one message fill several slots ("Anna Ivanova, born 12.03.1995, passport
ptok_…"): `TariffMessage` reads entities and labelled values from the latest message once, and each
`extract_<slot>` takes its part. Every value then goes through the form's Cerberus schema
(actions/card_schemas.py); a rejected value gets the reason and the same question again.

Personal data kept to what is needed: the passport number is only ever a vault reference
(`ptok_…`) plus a mask, and the date of birth is kept sealed (encrypted with a key derived from
the action-server secret) until it is sent to the bank.
"""

from __future__ import annotations

import abc
import base64
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bank.errors import BankError
from actions.card_schemas import (
    BOOKLET_RE,
    ID_CARD_RE,
    UNDERAGE,
    check_field,
    parse_date,
    passport,
)
from actions.session import apologise, get_bank, latest_intent

logger = logging.getLogger(__name__)

ABORT_SLOT = "card_form_aborted"
SEALED_PREFIX = "sealed:"
PASSPORT_REF_RE = re.compile(r"\bptok_[A-Za-z0-9]{16}\b")
# A passport typed in clear (only when no redacting channel ran): booklet or ID card.
PLAIN_PASSPORT_RE = re.compile(r"(?<![\w])([A-Za-zА-ЯІЇЄҐа-яіїєґ]{2}[ -]?\d{6}|\d{9})(?![\w])")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
DATE_RE = re.compile(
    rf"\b(\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
ISSUE_WORDS = re.compile(r"\b(issued?|issue date|given|valid from)\b[^,;]{0,15}$", re.IGNORECASE)
BIRTH_WORDS = re.compile(r"\b(born|birth|dob|b\.|birthday)\b[^,;]{0,15}$", re.IGNORECASE)
# "issued by 8012", "issued 15.04.2018 by Kyiv migration service", "authority: 8012".
AUTHORITY_RE = re.compile(
    r"\b(?:(?:issued|given)\b[^,;]{0,30}?\bby|authority(?:\s+code)?\s*(?:is|:)?)\s+"
    r"(?P<who>[^,;\n]+)",
    re.IGNORECASE,
)
# "i live at Khreshchatyk 22, Kyiv" inside a longer message (up to the next labelled field).
LIVES_AT_RE = re.compile(
    r"\b(?:i live (?:at|in|on)|live at|home address(?: is)?:?|my address is:?|address:)\s+"
    r"(?P<where>.+?)\s*(?=,?\s*\b(?:born|dob|passport|date of birth)\b|$)",
    re.IGNORECASE,
)
NAME_LEAD_RE = re.compile(
    r"^\s*(?:my (?:full )?name is|name:|i am|i'm|im|it's|it is|this is|call me)\s+",
    re.IGNORECASE,
)
# Free text taken as a name only if it looks like one (so a question mid-form is a digression).
_WORD = r"[^\W\d_]+(?:['’.-][^\W\d_]+)*"
NAME_LIKE_RE = re.compile(rf"^{_WORD}(?:\s+{_WORD}){{0,3}}$")


# --------------------------------------------------------------------------- sealing


def _fernet() -> Fernet:
    secret = (os.environ.get("ACTION_SERVER_TOKEN") or "dev-action-token").encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"card-form-seal").derive(
        secret
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return SEALED_PREFIX + _fernet().encrypt(value.encode()).decode()


def unseal(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if not value.startswith(SEALED_PREFIX):
        return value
    try:
        return _fernet().decrypt(value[len(SEALED_PREFIX) :].encode()).decode()
    except InvalidToken:
        return None  # sealed under another secret: ask again


def mask_passport(number: str) -> str:
    return f"{number[:2]}{'•' * (len(number) - 4)}{number[-2:]}" if len(number) > 4 else "••••"


# --------------------------------------------------------------------------- message reading


def typed_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text") or ""
    return "" if text.startswith("/") else text  # a button payload isn't typed text


def entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


def person_name(tracker: Tracker) -> str | None:
    """All person_name entities of the message together (the NLU may split one name)."""
    parts = list(dict.fromkeys(tracker.get_latest_entity_values("person_name")))
    return " ".join(parts) or None


def strip_name_lead(text: str) -> str:
    return NAME_LEAD_RE.sub("", text).strip(" .,!")


TARIFF_FIELDS = (
    "full_name", "date_of_birth", "home_address", "passport_number", "passport_issue_date",
    "passport_authority", "terms_consent",
)  # fmt: skip


@dataclass
class TariffMessage:
    """What one customer message says about the tariff-card fields."""

    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, tracker: Tracker) -> TariffMessage:
        requested = tracker.get_slot("requested_slot")
        text = typed_text(tracker)
        found: dict[str, Any] = {}

        name = person_name(tracker)
        if requested == "full_name" and NAME_LIKE_RE.match(strip_name_lead(text)):
            # The whole answer is a name: trust it over an entity that caught only part of it.
            found["full_name"] = strip_name_lead(text)
        elif name:
            found["full_name"] = name

        ref = entity(tracker, "passport_ref") or _first(PASSPORT_REF_RE, text)
        if ref:
            found["passport_number"] = ref
        else:
            plain = PLAIN_PASSPORT_RE.search(text)
            said_passport = re.search(r"\bpassport\b", text, re.IGNORECASE)
            if plain and (requested == "passport_number" or said_passport):
                found["passport_number"] = plain.group(1)

        found.update(cls._dates(text, requested, tracker))

        authority = AUTHORITY_RE.search(text)
        if authority:
            found["passport_authority"] = authority.group("who").strip(" .")
        elif requested == "passport_authority" and text.strip() and not found:
            found["passport_authority"] = re.sub(
                r"^\s*(?:it was )?(?:issued )?by\s+", "", text, flags=re.IGNORECASE
            ).strip(" .")

        address = entity(tracker, "address") or _group(LIVES_AT_RE, text, "where")
        if address:
            found["home_address"] = address
        elif requested == "home_address" and text.strip() and not found:
            found["home_address"] = re.sub(
                r"^\s*(?:my address is|address:|i live (?:at|in))\s*", "", text, flags=re.I
            )

        if requested == "terms_consent" and latest_intent(tracker) == "affirm":
            found["terms_consent"] = True
        elif (
            requested in TARIFF_FIELDS
            and not found
            and text.strip()
            and (latest_intent(tracker) == "inform" or any(ch.isdigit() for ch in text))
        ):
            # An answer to the question that we couldn't read: validation says why and re-asks
            # (rather than leaving it to other rules, as for a real question mid-form).
            found[requested] = text.strip()
        return cls(found)

    @staticmethod
    def _dates(text: str, requested: str | None, tracker: Tracker) -> dict[str, str]:
        out: dict[str, str] = {}
        loose: list[str] = []
        for match in DATE_RE.finditer(text):
            before = text[: match.start()]
            if ISSUE_WORDS.search(before):
                out.setdefault("passport_issue_date", match.group(1))
            elif BIRTH_WORDS.search(before):
                out.setdefault("date_of_birth", match.group(1))
            else:
                loose.append(match.group(1))
        if not loose:
            ent = entity(tracker, "date")
            if ent and ent not in out.values():
                loose.append(ent)
        order = ["date_of_birth", "passport_issue_date"]
        if requested in order:  # an unlabelled date answers the question just asked first
            order.remove(requested)
            order.insert(0, requested)
        for slot in order:
            if slot in out or not loose:
                continue
            if slot != requested and tracker.get_slot(slot) is not None:
                continue
            out[slot] = loose.pop(0)
        return out


def _group(pattern: re.Pattern, text: str, name: str) -> str | None:
    match = pattern.search(text or "")
    return match.group(name).strip(" .,") if match else None


def _first(pattern: re.Pattern, text: str) -> str | None:
    match = pattern.search(text or "")
    return match.group(0) if match else None


# --------------------------------------------------------------------------- shared bits


class CardFormValidation(FormValidationAction):
    """Common to the three card forms: stop early when `card_form_aborted` is set."""

    form = ""  # the form's name in the domain (subclasses)

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the three subclasses and not this base."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return [] if tracker.get_slot(ABORT_SLOT) else domain_slots

    def _check(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher
    ) -> tuple[Any, bool]:
        if value is None:  # a slot cleared before the form started: nothing to say
            return None, False
        clean, problem = check_field(self.form, slot, value)
        if problem:
            dispatcher.utter_message(text=problem)
            return None, False
        return clean, True


# --------------------------------------------------------------------------- basic card


class ValidateBasicCardForm(CardFormValidation):
    form = "basic_card_form"

    def name(self) -> str:
        return "validate_basic_card_form"

    async def extract_card_holder_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "card_holder_name":
            return {}
        text = strip_name_lead(typed_text(tracker))
        candidates = [person_name(tracker)]
        if text and (NAME_LIKE_RE.match(text) or latest_intent(tracker) == "inform"):
            candidates.append(text)
        candidates = [c for c in candidates if c]
        # The NLU sometimes catches only part of a name ("Zlata" of "Zlata Chornovol"): take
        # the first candidate that is a full name, else the first one (validation says why).
        for candidate in candidates:
            if check_field(self.form, "card_holder_name", candidate)[1] is None:
                return {"card_holder_name": candidate}
        return {"card_holder_name": candidates[0]} if candidates else {}

    async def validate_card_holder_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        clean, ok = self._check("card_holder_name", value, dispatcher)
        return {"card_holder_name": clean if ok else None}


# --------------------------------------------------------------------------- tariff card



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
        return self._extract("home_address", tracker)

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
        if value is None or (isinstance(value, str) and value.startswith(SEALED_PREFIX)):
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
        return {"home_address": clean if ok else None}

    async def validate_passport_number(self, value, dispatcher, tracker, domain):
        clean, ok = self._check("passport_number", value, dispatcher)
        if not ok:
            return {"passport_number": None, "passport_masked": None}
        if clean.startswith("ptok_"):
            # Already in the vault (the channel swapped it): we never see the number itself.
            return {"passport_number": clean}
        # Typed in clear where no redacting channel ran: put it in the vault before anything
        # else, so only the reference is kept.
        try:
            stored = await get_bank().rest.store_secret("passport", clean)
        except BankError as err:
            logger.warning("could not vault a passport number: bank error %s", err.code)
            apologise(dispatcher, err)
            return {"passport_number": None, ABORT_SLOT: True}
        return {"passport_number": stored["secret_ref"], "passport_masked": mask_passport(clean)}

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


# --------------------------------------------------------------------------- plastic card


class ValidatePlasticCardForm(CardFormValidation):
    form = "plastic_card_form"

    def name(self) -> str:
        return "validate_plastic_card_form"

    async def extract_delivery_address(self, dispatcher, tracker, domain):
        if tracker.get_slot("requested_slot") != "delivery_address":
            return {}
        address = entity(tracker, "address")
        if address:
            return {"delivery_address": address}
        text = typed_text(tracker)
        if text and (any(ch.isdigit() for ch in text) or latest_intent(tracker) == "inform"):
            text = re.sub(r"^\s*(?:deliver (?:it )?to|send (?:it )?to|to|address:)\s*", "", text,
                          flags=re.IGNORECASE)  # fmt: skip
            return {"delivery_address": text}
        return {}

    async def validate_delivery_address(self, value, dispatcher, tracker, domain):
        clean, ok = self._check("delivery_address", value, dispatcher)
        return {"delivery_address": clean if ok else None}


__all__ = [
    "ABORT_SLOT",
    "BOOKLET_RE",
    "ID_CARD_RE",
    "TARIFF_FIELDS",
    "TariffMessage",
    "ValidateBasicCardForm",
    "ValidatePlasticCardForm",
    "ValidateTariffCardForm",
    "mask_passport",
    "parse_date",
    "passport",
    "seal",
    "unseal",
]
