"""Validation of everything the card forms collect: one Cerberus schema per form, in one place.

Each field is normalised (`coerce`) and then checked; a failure carries one customer-facing
sentence saying what was wrong and how to type it, so the form can re-ask clearly.

    value, problem = check_field("tariff_card_form", "date_of_birth", "12 March 1995")
    # → ("1995-03-12", None)
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from cerberus import Validator

from actions.common.address import parse_address
from bankclient import refs

ADULT_AGE = 18
OLDEST_BIRTH_YEAR = 1900
HOLDER_NAME_MAX = 26  # what fits on the embossed line of a card (the bank's limit too)
# Ukrainian documents: booklet passport = 2 letters + 6 digits; ID card = 9 digits.
BOOKLET_RE = re.compile(r"^[A-ZА-ЯІЇЄҐ]{2}\d{6}$")
ID_CARD_RE = re.compile(r"^\d{9}$")
NAME_PART_RE = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*\.?$")
POSTAL_RE = re.compile(r"^\d{5}$")
# The reason check_field gives for a date of birth under 18: the form stops instead of re-asking.
UNDERAGE = "underage"

# --------------------------------------------------------------------------- normalisers

# Ukrainian → Latin (the official 2010 table), for the name embossed on the card.
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ы": "y", "э": "e",
    "ё": "io", "ъ": "", "'": "'", "’": "'",
}  # fmt: skip

DATE_FORMATS = (
    "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%B %d %Y",
    "%b %d %Y", "%d.%m.%y", "%d/%m/%y", "%Y.%m.%d", "%Y/%m/%d",
)  # fmt: skip
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)


def squeeze(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def title_name(value: Any) -> Any:
    """"anna  IVANOVA-petrenko" → "Anna Ivanova-Petrenko" (hyphens and apostrophes kept)."""
    if not isinstance(value, str):
        return value
    words = squeeze(value).strip(" ,.").split(" ")

    def cap(word: str) -> str:
        return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), word)

    return " ".join(cap(w) for w in words if w)


def transliterate(value: str) -> str:
    out = []
    for ch in value:
        low = ch.lower()
        latin = _TRANSLIT.get(low)
        if latin is None:
            out.append(ch)
        else:
            out.append(latin.capitalize() if ch != low else latin)
    return "".join(out)


def holder_name(value: Any) -> Any:
    """The name as embossed: Latin letters, title case (Cyrillic is transliterated)."""
    if not isinstance(value, str):
        return value
    return title_name(transliterate(squeeze(value)))


def parse_date(value: Any) -> Any:
    """Common written dates → ISO "YYYY-MM-DD"; anything unreadable is returned unchanged."""
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return value
    text = _ORDINAL.sub("", squeeze(value).replace(",", " ")).strip()
    text = " ".join(text.split())
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt.endswith("%y") and parsed > date.today():
            parsed = parsed.replace(year=parsed.year - 100)  # "12.03.95" is 1995
        return parsed.isoformat()
    return value


def passport(value: Any) -> Any:
    """A vault reference stays as it is; a typed number loses spaces/dashes and is upper-cased."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value.startswith(refs.PASSPORT_PREFIX):
        return value
    return re.sub(r"[\s\-]", "", value).upper()


def consent(value: Any) -> Any:
    if isinstance(value, str):
        low = value.strip().lower()
        if low in {"true", "yes", "agree", "i agree", "/affirm"}:
            return True
        if low in {"false", "no", "/deny"}:
            return False
    return value


# --------------------------------------------------------------------------- checks


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_person_name(field: str, value: Any, error: Any) -> None:
    parts = value.split(" ") if isinstance(value, str) else []
    if len(parts) < 2:
        error(field, "Please send your first and last name, for example Anna Ivanova.")
    elif not all(NAME_PART_RE.match(p) for p in parts):
        error(field, "A name can only have letters, hyphens and apostrophes.")


def check_holder_name(field: str, value: Any, error: Any) -> None:
    check_person_name(field, value, error)
    if isinstance(value, str) and not all(c.isascii() for c in value):
        error(field, "Please write the name in Latin letters, as it will be on the card.")


def check_birth_date(field: str, value: Any, error: Any) -> None:
    born = _iso(value)
    today = date.today()
    if born is None:
        error(field, "I couldn't read that date. Please send it like 12.03.1995.")
    elif born >= today or born.year < OLDEST_BIRTH_YEAR:
        error(field, "That date of birth doesn't look right. Please send it like 12.03.1995.")
    elif age_on(born, today) < ADULT_AGE:
        error(field, UNDERAGE)


def check_issue_date(field: str, value: Any, error: Any) -> None:
    issued = _iso(value)
    if issued is None:
        error(field, "I couldn't read that date. Please send it like 15.04.2018.")
    elif issued > date.today():
        error(field, "The issue date can't be in the future. Please check it.")
    elif issued.year < OLDEST_BIRTH_YEAR + 14:
        error(field, "That issue date doesn't look right. Please check it.")


def check_passport(field: str, value: Any, error: Any) -> None:
    if not isinstance(value, str):
        error(field, "Please send your passport number.")
    elif not (refs.is_passport_ref(value) or BOOKLET_RE.match(value) or ID_CARD_RE.match(value)):
        error(
            field,
            "That isn't a passport number I recognise: it's 2 letters and 6 digits "
            "(like MP123456) for a passport booklet, or 9 digits for an ID card.",
        )


def check_address(field: str, value: Any, error: Any) -> None:
    """A deliverable address: street, house number and city, in any order and shape
    (actions/common/address.py); the message asks only for what is missing."""
    parsed = parse_address(value) if isinstance(value, str) else None
    if parsed is None or not parsed.complete:
        question = parsed.question() if parsed is not None else None
        error(field, question or "Please send the street, house number and city, for example: "
              "Khreshchatyk St 22, Kyiv.")


def normal_address(value: Any) -> Any:
    """The normalised form ("Khreshchatyk St 12, apt 5, Kyiv, 01001") of a complete address;
    anything else unchanged (the check then says what is missing)."""
    if not isinstance(value, str):
        return value
    parsed = parse_address(value)
    return parsed.text if parsed.complete else squeeze(value)


def check_consent(field: str, value: Any, error: Any) -> None:
    if value is not True:
        error(field, "I can only go on with your consent to the terms and data processing.")


def split_address(value: str) -> dict[str, str | None] | None:
    """"Khreshchatyk St 22, apt 5, Kyiv, 01001" → {street, city, postal_code}; None if a part
    is missing."""
    parsed = parse_address(value)
    if not parsed.complete:
        return None
    return {"street": parsed.street_line, "city": parsed.city, "postal_code": parsed.postal_code}


# --------------------------------------------------------------------------- schemas

_NAME = {"type": "string", "coerce": title_name, "minlength": 3, "maxlength": 200,
         "check_with": check_person_name}  # fmt: skip
_ADDRESS = {"type": "string", "coerce": normal_address, "minlength": 5, "maxlength": 300,
            "check_with": check_address}  # fmt: skip

SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    "basic_card_form": {
        "card_holder_name": {
            "type": "string", "coerce": holder_name, "minlength": 3,
            "maxlength": HOLDER_NAME_MAX, "check_with": check_holder_name,
        },
    },
    "tariff_card_form": {
        "full_name": _NAME,
        "date_of_birth": {"type": "string", "coerce": parse_date, "check_with": check_birth_date},
        "home_address": _ADDRESS,
        "passport_number": {"type": "string", "coerce": passport, "check_with": check_passport},
        "passport_issue_date": {
            "type": "string", "coerce": parse_date, "check_with": check_issue_date,
        },
        "passport_authority": {
            "type": "string", "coerce": squeeze, "minlength": 2, "maxlength": 200,
            "regex": r"^(?=.*[^\W_]).+$",
        },
        "terms_consent": {"type": "boolean", "coerce": consent, "check_with": check_consent},
    },
    "plastic_card_form": {"delivery_address": _ADDRESS},
}  # fmt: skip

# When Cerberus' own rule fails (wrong type, too short, ...), this is what the customer reads.
FALLBACK_MESSAGES = {
    "card_holder_name": "Please send the name for the card in Latin letters, like Anna Ivanova "
    f"(at most {HOLDER_NAME_MAX} characters).",
    "full_name": "Please send your full name, for example Anna Ivanova.",
    "date_of_birth": "I couldn't read that date. Please send it like 12.03.1995.",
    "home_address": "Please send your address like: Khreshchatyk 22, Kyiv.",
    "passport_number": "Please send your passport number.",
    "passport_issue_date": "I couldn't read that date. Please send it like 15.04.2018.",
    "passport_authority": "Please tell me who issued the passport, for example: 8012 or "
    "Kyiv city migration service.",
    "terms_consent": "Please tap \"I agree\" to go on, or \"No\" to stop.",
    "delivery_address": "Please send the address like: Khreshchatyk 22, Kyiv.",
}


def check_field(form: str, field: str, value: Any) -> tuple[Any, str | None]:
    """Normalise and validate one field of a form → (clean value, None) or (None, reason)."""
    schema = SCHEMAS[form][field]
    validator = Validator({field: schema})
    if validator.validate({field: value}):
        return validator.document[field], None
    errors = validator.errors.get(field) or []
    # check_with messages are already written for the customer; Cerberus' own are not.
    own = [e for e in errors if isinstance(e, str) and not _is_cerberus_message(e)]
    return None, own[0] if own else FALLBACK_MESSAGES.get(field, "Please check that and try again.")


def check_form(form: str, document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every field of a form at once → (normalised document, {field: reason})."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in SCHEMAS[form]:
        value, problem = check_field(form, field, document.get(field))
        if problem:
            problems[field] = problem
        else:
            clean[field] = value
    return clean, problems


_CERBERUS_PREFIXES = (
    "must be of", "min length", "max length", "value does not match", "required field",
    "null value", "unknown field", "empty values",
)  # fmt: skip


def _is_cerberus_message(message: str) -> bool:
    return message.startswith(_CERBERUS_PREFIXES)
