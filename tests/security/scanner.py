"""An independent secret scanner for the tests: it shares no code with the implementation's
redaction (assistant/redaction.py, the channel guard), so a bug there cannot hide itself here.

Two rules, both applied to any text (tracker rows, broker messages, logs, results/):
- card-like numbers: every run of 13-19 digits once separators (spaces of any kind, hyphens and
  dashes) are removed and Unicode digits (Arabic-Indic, fullwidth, ...) are mapped to 0-9.
  No Luhn check: a leaked number with one wrong digit is still a leak. A run glued to letters
  (a hex id) or longer than 19 digits (not a card) is not reported.
- exact values: whatever the test typed (PIN, CVV, password, OTP, passport number, card number),
  found in the text as typed, digits-only and after the same normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MIN_DIGITS, MAX_DIGITS = 13, 19
# Known harmless long numbers in the stack's logs, removed before scanning (each with its reason).
BENIGN = [
    re.compile(r"Loop id \d+"),  # Rasa at DEBUG: "Enabling coroutine debugging. Loop id <id()>"
    re.compile(r"tracker now has \d+ events"),  # Rasa at DEBUG: an event count
]


def _is_separator(ch: str) -> bool:
    return ch in "-_" or ch.isspace() or unicodedata.category(ch) in ("Pd", "Zs")


def normalise_digits(text: str) -> str:
    """Every Unicode decimal digit becomes its ASCII digit; nothing else changes."""
    return "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )


@dataclass(frozen=True)
class Finding:
    kind: str  # "digits" or "typed"
    what: str  # the last 4 digits, or the name of the typed value: never the secret itself
    context: str


def card_like_runs(text: str) -> list[str]:
    """Digit runs of 13-19 digits (separators removed), not glued to letters. The fraction and
    the integer part of a decimal number ("1764169203.123") do not join a run."""
    text = normalise_digits(text)
    found, i, n = [], 0, len(text)
    while i < n:
        if not text[i].isdigit() or (i and text[i - 1].isalnum()) or _after_decimal_point(text, i):
            i += 1
            continue
        groups, j = [], i
        while j < n and text[j].isdigit():
            k = j
            while k < n and text[k].isdigit():
                k += 1
            groups.append(text[j:k])
            if k + 1 < n and _is_separator(text[k]) and text[k + 1].isdigit():
                j = k + 1
            else:
                j = k
                break
        end = j
        if end < n and text[end].isalpha():
            groups = []  # glued to letters: an identifier
        elif _decimal_point_at(text, end):
            groups = groups[:-1]  # the last group is a decimal number's integer part
        digits = "".join(groups)
        if MIN_DIGITS <= len(digits) <= MAX_DIGITS and not _is_timestamp(groups):
            found.append(digits)
        i = max(end, i + 1)
    return found


def _is_timestamp(groups: list[str]) -> bool:
    """YYYYMMDD-HHMMSS, as in Rasa's model file names (20261126-145256-excited-rout.tar.gz)."""
    if [len(g) for g in groups] != [8, 6]:
        return False
    day, time_of_day = groups
    return (
        19 <= int(day[:2]) <= 21 and 1 <= int(day[4:6]) <= 12 and 1 <= int(day[6:]) <= 31
        and int(time_of_day[:2]) < 24 and int(time_of_day[2:4]) < 60 and int(time_of_day[4:]) < 60
    )


def _after_decimal_point(text: str, i: int) -> bool:
    return i >= 2 and text[i - 1] in ".," and text[i - 2].isdigit()


def _decimal_point_at(text: str, i: int) -> bool:
    return i + 1 < len(text) and text[i] in ".," and text[i + 1].isdigit()


def scan_text(text: str, typed: dict[str, str] | None = None, where: str = "") -> list[Finding]:
    for pattern in BENIGN:
        text = pattern.sub("", text)
    findings = [Finding("digits", run[-4:], where) for run in card_like_runs(text)]
    normalised = normalise_digits(text)
    for name, value in (typed or {}).items():
        if _typed_value_in(normalised, normalise_digits(value)):
            findings.append(Finding("typed", name, where))
    return findings


class Scanner:
    """`scan_text` with the same rules, for many typed values over much text (a corpus of
    hundreds of values against every log line): each value's patterns are compiled once, and a
    value is searched only in text that contains it (or, for 12+ digits, its digits)."""

    def __init__(self, typed: dict[str, str]):
        self.values = []
        for name, value in typed.items():
            value = normalise_digits(value)
            digits = "".join(ch for ch in value if ch.isdigit())
            separated = None
            if len(digits) >= 12:
                joined = r"[\s\-_\u2010-\u2015]?".join(digits)
                separated = re.compile(rf"(?<![0-9]){joined}(?![0-9])")
            self.values.append((name, value, re.compile(_bounded(value)), digits, separated))

    def scan(self, text: str, where: str = "") -> list[Finding]:
        for pattern in BENIGN:
            text = pattern.sub("", text)
        findings = [Finding("digits", run[-4:], where) for run in card_like_runs(text)]
        normalised = normalise_digits(text)
        only_digits = "".join(ch for ch in normalised if ch.isdigit())
        for name, value, bounded, digits, separated in self.values:
            if (value in normalised and bounded.search(normalised)) or (
                    separated is not None and digits in only_digits
                    and separated.search(normalised)):
                findings.append(Finding("typed", name, where))
        return findings


def _bounded(value: str) -> str:
    return rf"(?<![0-9A-Za-z])(?<!\d[.,:]){re.escape(value)}(?![0-9A-Za-z])"


def _typed_value_in(text: str, value: str) -> bool:
    """The value as a whole token (so PIN 7319 is not found inside port 57319 or after a
    timestamp's comma), or, for a value
    of 12+ digits, its digits with any separators in between."""
    # Not after "." "," ":" either: "15:39:07,846" (a log timestamp) does not contain CVV 846.
    if re.search(_bounded(value), text):
        return True
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) >= 12:
        separated = r"[\s\-_\u2010-\u2015]?".join(digits)
        return bool(re.search(rf"(?<![0-9]){separated}(?![0-9])", text))
    return False


def scan_files(paths: list[Path], typed: dict[str, str] | None = None) -> list[Finding]:
    findings = []
    for path in paths:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            findings += scan_text(line, typed, f"{path}:{number}")
    return findings
