"""The single place that knows what sensitive data looks like in free text.

Used by the channel layer (before Rasa sees a message), the tracker store (before an event is
saved) and the log filter (before a record is written). References issued by the vault
(formats in `bankclient.refs`) are the safe replacements and never match any pattern here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from stdnum import luhn

from bankclient.refs import is_ref

REDACTED = "[redacted]"
MASK_PREFIX = "•••• "

# A run of digit groups separated by single spaces or dashes ("4111 1111-1111 1111"), maximal on
# both sides, not glued to letters (so IBANs like "UA21 3223 ..." and ids like "ab1234..." are
# not card numbers) and not part of a decimal number (model confidences such as
# 0.0004631973273535 have long digit runs too).
_DIGIT_RUN = re.compile(
    r"(?<![\w])(?<![\d][ -])(?<!\d[.,])\d+(?:[ -]\d+)*(?![ -]?\d)(?![.,]\d)(?!\w)"
)
_GROUP = re.compile(r"\d+")
PAN_MIN_DIGITS, PAN_MAX_DIGITS = 13, 19

# Letters of the Latin and Ukrainian/Russian alphabets (passport series are written in both).
_LETTER = "A-Za-zА-ЯЁЇІЄҐа-яёїієґ"
_PASSPORT_VALUE = rf"(?:[{_LETTER}]{{2}}[ -]?\d{{6,7}}|\d{{9}})"
# "passport AB123456", "passport number: 123456789", "my passport no. is ab 1234567".
PASSPORT_AFTER_WORD = re.compile(
    rf"(?P<lead>\bpassport\b(?:\s+(?:number|num|no\.?|nr|id|series|#))?"
    rf"(?:\s*(?:is|was|:|=|-|—)\s*|\s+)(?:is\s+)?)"
    rf"(?P<value>{_PASSPORT_VALUE})(?![\w])",
    re.IGNORECASE,
)
# Standalone document numbers in capitals ("AB123456") are passport-shaped enough to hide in
# logs and storage even without the word "passport".
PASSPORT_STANDALONE = re.compile(r"(?<![\w])[A-ZА-ЯЁЇІЄҐ]{2}\d{6,7}(?![\w])")
# A value on its own, as typed when the bot has just asked for the passport number.
PASSPORT_VALUE = re.compile(rf"(?<![\w]){_PASSPORT_VALUE}(?![\w])")
# A one-time code on its own ("123456", "123 456"), as typed when the bot asked for it.
OTP_VALUE = re.compile(r"(?<![\w])(?<!\d[ -])\d(?:[ -]?\d){3,7}(?![ -]?\d)(?![\w])")

_DIGIT_SECRET_WORDS = (
    r"pin(?:\s*code)?|cvv2?|cvc2?|cvn|csc|security\s+code|otp|one[- ]time\s+(?:code|pin)"
    r"|sms\s+code|verification\s+code|confirmation\s+code|code"
)
_PASSWORD_WORDS = r"password|passcode|passwd|pwd|one[- ]time\s+password"
_SEPARATOR = (
    r"(?:\s+(?:number|no\.?|#))?"
    r"(?P<sep>\s*(?:is|was|would\s+be|to|=|:|-|—)\s*|\s+)(?:is\s+)?"
)
# "my pin is 1234", "cvv 123", "code: 123456", "pin-1234", "set my pin to 4321".
DIGIT_SECRET = re.compile(
    rf"(?P<lead>\b(?:{_DIGIT_SECRET_WORDS})\b{_SEPARATOR})"
    r"(?P<value>\d(?:[ -]?\d){2,7})(?![ -]?\d)",
    re.IGNORECASE,
)
# "password: hunter2", "my password is hunter2", "pwd hunter2".
PASSWORD_SECRET = re.compile(
    rf"(?P<lead>\b(?:{_PASSWORD_WORDS})\b{_SEPARATOR})(?P<value>[^\s\[\]]+)",
    re.IGNORECASE,
)
# "code" preceded by these words is not a secret (an address, a promotion, a dialling code).
_HARMLESS_CODE_PREFIXES = {
    "postal", "post", "zip", "postcode", "promo", "promotional", "referral", "invite",
    "invitation", "country", "area", "dialling", "dialing", "sort", "swift", "bank", "tax",
    "discount", "coupon", "voucher", "bonus",
}  # fmt: skip
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A calendar date as customers type it: 12.03.1995, 1995-03-12, 12/3/95, 12 March 1995,
# March 12th, 1995.
DATE_VALUE = re.compile(
    r"(?<![\w.])(?:\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{2,4}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})(?![\w])",
    re.IGNORECASE,
)
# A date of birth is personal data: "born 12.03.1995", "dob: 1995-03-12", "birthday 12 March 1995".
BIRTH_DATE = re.compile(
    r"\b(?:born|birth|dob|d\.o\.b\.?|birthday|b-?day)\b[^\d\n]{0,25}?"
    rf"(?P<value>{DATE_VALUE.pattern})",
    re.IGNORECASE,
)
_PASSWORD_HINT = re.compile(r"pass|pwd", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\W*$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    value: str


def _card_groups(run: str, offset: int) -> Iterator[Span]:
    """The Luhn-valid 13–19 digit card number inside one digit run, if any.

    The whole run is tried first; otherwise the longest run of whole groups, so that
    "send 500 4111 1111 1111 1111" still finds the card next to the amount.
    """
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(run)]
    best: tuple[int, int] | None = None
    best_len = 0
    for i in range(len(groups)):
        digits = 0
        for j in range(i, len(groups)):
            digits += groups[j][1] - groups[j][0]
            if digits > PAN_MAX_DIGITS:
                break
            if digits >= PAN_MIN_DIGITS and digits > best_len:
                candidate = _digits(run[groups[i][0] : groups[j][1]])
                if luhn.is_valid(candidate):
                    best, best_len = (groups[i][0], groups[j][1]), digits
    if best is not None:
        start, end = best
        yield Span(offset + start, offset + end, run[start:end])


def find_card_numbers(text: str) -> list[Span]:
    """Every Luhn-valid card number in `text` (spaces or dashes between digits allowed)."""
    spans: list[Span] = []
    for m in _DIGIT_RUN.finditer(text):
        spans.extend(_card_groups(m.group(), m.start()))
    return spans


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def mask_card_number(pan: str) -> str:
    return MASK_PREFIX + _digits(pan)[-4:]


def replace_spans(text: str, spans: list[Span], replacement: Callable[[Span], str]) -> str:
    """Replace non-overlapping spans (given in text order) by `replacement(span)`."""
    out, cursor = [], 0
    for span in spans:
        out.append(text[cursor : span.start])
        out.append(replacement(span))
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def _is_harmless_code(text: str, match: re.Match) -> bool:
    lead = match.group("lead").lower()
    if not lead.startswith("code"):
        return False
    previous = _WORD_BEFORE.search(text[: match.start()])
    return bool(previous) and previous.group(1).lower() in _HARMLESS_CODE_PREFIXES


def find_secret_phrases(text: str, birth_dates: bool = True) -> list[Span]:
    """Values announced as a PIN, CVV, one-time code or password, passport numbers and dates
    of birth."""
    spans: list[Span] = []
    for m in DIGIT_SECRET.finditer(text):
        if not _is_harmless_code(text, m):
            spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    for m in PASSWORD_SECRET.finditer(text):
        value = m.group("value")
        # "password please" is a request, "password hunter2" / "password: x" is a secret.
        explicit = m.group("sep").strip() != ""
        if is_ref(value):
            continue
        if explicit or not value.isalpha():
            spans.append(Span(m.start("value"), m.end("value"), value))
    for m in PASSPORT_AFTER_WORD.finditer(text):
        spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    for m in PASSPORT_STANDALONE.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group()))
    for m in BIRTH_DATE.finditer(text) if birth_dates else ():
        spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    return _without_overlaps(spans)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


def redact_text(text: str, birth_dates: bool = True) -> str:
    """Mask card numbers ("•••• 1111") and replace announced secrets by "[redacted]".

    `birth_dates=False` is for the channel layer: the card form must read a date of birth in
    the turn it is typed; the tracker store and the logs drop it.
    """
    if not text or not (any(ch.isdigit() for ch in text) or _PASSWORD_HINT.search(text)):
        return text  # fast path: every pattern needs a digit, except passwords
    text = replace_spans(text, find_card_numbers(text), lambda s: mask_card_number(s.value))
    return replace_spans(text, find_secret_phrases(text, birth_dates), lambda _s: REDACTED)


def redact_obj(value: Any) -> Any:
    """`redact_text` applied to every string (and long integer) inside dicts, lists and tuples.

    Keys are kept (they are field names); a new structure is returned, the input is not changed.
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_obj(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_obj(item) for item in value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        # A card number that arrived as a JSON number (e.g. an entity value).
        as_text = str(value)
        redacted = redact_text(as_text)
        return value if redacted == as_text else redacted
    return value


def contains_sensitive(text: str) -> bool:
    """True when `text` still holds something `redact_text` would change (for scanners)."""
    return redact_text(text) != text
