"""What one customer message says about the Digital Tariff Card's fields.

Several fields in one message fill several slots ("Anna Ivanova, born 12.03.1995, passport
<ref>"): `TariffMessage.read` takes entities and labelled values from the latest message once,
and each `extract_<slot>` of the form takes its part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

from actions.cards.form_base import NAME_LIKE_RE, entity, person_name, strip_name_lead
from actions.cards.slots import TARIFF_FIELDS
from actions.common.conversation import latest_intent, typed_text
from bankclient import refs

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
CORRECTED_BIRTH_RE = re.compile(r"\b(born|birth|birthday|dob|wrong date|date is wrong)\b", re.I)
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


@dataclass
class TariffMessage:
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

        ref = entity(tracker, "passport_ref") or _first(refs.PASSPORT_REF_RE, text)
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
        if loose and CORRECTED_BIRTH_RE.search(text):
            out.setdefault("date_of_birth", loose.pop(0))  # "wrong date, it's 03.05.1991"
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
