"""The single place that knows what sensitive data looks like in free text.

Used by the channel layer (before Rasa sees a message), the tracker store (before an event is
saved) and the log filter (before a record is written). References issued by the vault
(formats in `bankclient.refs`) are the safe replacements and never match any pattern here.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
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
# The same with every separator customers really type between card digit groups: dots,
# slashes, underscores, repeated spaces, tabs or line breaks ("4111.1111.1111.1111",
# "4111/1111/1111/1111", "4111_1111_1111_1111", "4111  1111   1111 1111").
_SEP = r"[\s._/\\-]"
_CARD_SHAPED_RUN = re.compile(
    rf"(?<![^\W_])(?<!\d)(?<!\d{_SEP})(?<!\d{_SEP}{{2}})(?<!\d{_SEP}{{3}})"
    rf"\d+(?:{_SEP}{{1,3}}\d+)*(?!\d)(?!{_SEP}{{1,3}}\d)(?![^\W_])"
)
_GROUP = re.compile(r"\d+")
PAN_MIN_DIGITS, PAN_MAX_DIGITS = 13, 19


@lru_cache(maxsize=1)
def _digit_table() -> dict[int, str]:
    """Every non-ASCII decimal digit (Arabic-Indic, fullwidth, Devanagari, ...) -> ASCII."""
    return {cp: str(unicodedata.decimal(chr(cp))) for cp in range(128, sys.maxunicode + 1)
            if chr(cp).isdecimal()}


def ascii_digits(text: str) -> str:
    """`text` with non-ASCII digits as ASCII ones; the same length, so spans still align."""
    return text if text.isascii() else text.translate(_digit_table())

# Letters of the Latin and Ukrainian/Russian alphabets (passport series are written in both).
_LETTER = "A-Za-zА-ЯЁЇІЄҐа-яёїієґ"
_PASSPORT_VALUE = rf"(?:[{_LETTER}]{{2}}[ -]?\d{{6,7}}|\d{{9}})"
_DOCUMENT_WORDS = (
    r"passport|id[\s-]?card|identity\s+card|national\s+id|document|"
    r"паспорт[а-яіїєґ]*|id[\s-]?карт[а-яіїєґ]*|ід[\s-]?карт[а-яіїєґ]*|айді[\s-]?карт[а-яіїєґ]*|"
    r"документ[а-яіїєґ]*|посвідченн[а-яіїєґ]*|удостоверени[а-яіїєґ]*"
)
# "passport AB123456", "passport number: 123456789", "my passport no. is ab 1234567",
# "id card 123456789", "паспорт КВ 123456", "номер ID-картки: 001234567".
PASSPORT_AFTER_WORD = re.compile(
    rf"(?P<lead>\b(?:{_DOCUMENT_WORDS})\b(?:\s+(?:number|num|no\.?|nr|id|series|#|номер|№|серія|серия))?"
    rf"(?:[\s:=\-—–,.;()\"'«»]*(?:is|was|це|є|это|:)?[\s:=\-—–,.;()\"'«»]*))"
    rf"(?P<value>{_PASSPORT_VALUE})(?![\w])",
    re.IGNORECASE,
)
# The same value typed before the word: "AB123456 is my passport", "123456789 — id card".
PASSPORT_BEFORE_WORD = re.compile(
    rf"(?<![\w])(?P<value>{_PASSPORT_VALUE})(?![\w])[\s:=\-—–,.;()\"'«»]*"
    rf"(?:(?:is|was|це|є|это)\s+)?(?:(?:my|the|мій|мой|моя|мого|моего)\s+)?"
    rf"(?:{_DOCUMENT_WORDS})\b",
    re.IGNORECASE,
)
# The record number of a Ukrainian ID card (УНЗР): date of birth + 5 digits, "19950312-01234".
RECORD_NUMBER = re.compile(r"(?<![\w-])(?:19|20)\d{6}-\d{5}(?![\w-])")
# Standalone document numbers in capitals ("AB123456") are passport-shaped enough to hide in
# logs and storage even without the word "passport".
PASSPORT_STANDALONE = re.compile(r"(?<![\w])[A-ZА-ЯЁЇІЄҐ]{2}\d{6,7}(?![\w])")
# A value on its own, as typed when the bot has just asked for the passport number.
PASSPORT_VALUE = re.compile(rf"(?<![\w]){_PASSPORT_VALUE}(?![\w])")
# A one-time code on its own ("123456", "123 456"), as typed when the bot asked for it.
OTP_VALUE = re.compile(r"(?<![\w])(?<!\d[ -])\d(?:[ -]?\d){3,7}(?![ -]?\d)(?![\w])")

_SMS = r"(?:sms|text|message|смс|sms-?ки|повідомлення|сообщения)"
_DIGIT_SECRET_WORDS = (
    r"pin(?:\s*code)?|cvv2?|cvc2?|cvn|csc|security\s+code|otp|one[- ]time\s+(?:code|pin)"
    rf"|sms\s+code|verification\s+code|confirmation\s+code"
    rf"|code\s+(?:from|in|of)\s+(?:the\s+|your\s+|my\s+)?{_SMS}|{_SMS}\s+(?:code|says)|code"
    # Ukrainian / Russian: пін(-код), пин(-код), код (з/із/из смс), cvv as "свв/цвв", одноразовий
    r"|пін(?:[\s-]?код[а-яіїєґ]*)?|пин(?:[\s-]?код[а-яіїєґ]*)?|свв|цвв|cvv-?код[а-яіїєґ]*"
    rf"|код[а-яіїєґ]*(?:\s+(?:з|із|зі|из|со|с|в|у)\s+{_SMS})?|одноразов[а-яіїєґ]*\s+код[а-яіїєґ]*"
    r"|тризначн[а-яіїєґ]*\s+код[а-яіїєґ]*|трехзначн[а-яіїєґ]*\s+код[а-яіїєґ]*"
)
_PASSWORD_WORDS = (
    r"password|passcode|passwd|pwd|one[- ]time\s+password|парол[ья]|пароль"
)
_PUNCT = r"[\s:=\-—–,.;()\"'«»!?*>]"
_SEPARATOR = (
    r"(?:\s+(?:number|no\.?|#|номер))?"
    rf"(?P<sep>{_PUNCT}*(?:is|was|would\s+be|to|на|це|є|это|будет|буде|:){_PUNCT}*|{_PUNCT}+)"
    r"(?:is\s+)?"
)
# "my pin is 1234", "cvv 123", "code: 123456", "pin-1234", "set my pin to 4321", "pin... 1234",
# "мій пін 1234", "код з смс: 482913", "the code from sms 482913".
DIGIT_SECRET = re.compile(
    rf"(?P<lead>\b(?:{_DIGIT_SECRET_WORDS})\b{_SEPARATOR})"
    r"(?P<value>\d(?:[ -]?\d){2,7})(?![ -]?\d)",
    re.IGNORECASE,
)
# The value before the word: "1234 is my pin", "123 - cvv", "482913 це код", "4321 мой пин".
DIGIT_SECRET_BEFORE = re.compile(
    r"(?<![\w])(?<!\d[./,-])(?P<value>\d(?:[ -]?\d){2,7})(?![ -]?\d)(?![./,]\d)[\s:=\-—–]*"
    r"(?:(?:is|was|це|є|это)\s+)?(?:(?:my|the|your|our|мій|мой|моя|мой|ваш|твій)\s+)?"
    r"(?:new\s+|новий\s+|новый\s+)?"
    r"(?P<word>pin(?:\s*code)?|cvv2?|cvc2?|cvn|csc|security\s+code|otp|пін(?:[\s-]?код)?"
    r"|пин(?:[\s-]?код)?|свв|цвв|(?:sms\s+|one[- ]time\s+|verification\s+)?code"
    r"|код[а-яіїєґ]*|password|пароль)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    r"zero|oh|one|two|three|four|five|six|seven|eight|nine|"
    r"нуль|ноль|один|одна|два|дві|две|три|чотири|четыре|п'ять|пʼять|пять|шість|шесть|сім|семь"
    r"|вісім|восемь|дев'ять|девʼять|девять"
)
# "Zx81spectrum9 is my password", "kvitka#1 — мій пароль" (a value with a digit or symbol).
PASSWORD_BEFORE = re.compile(
    r"(?<![\w])(?P<value>(?=\S*[^\w\s]|\S*\d)[^\s\[\]]{4,})[\s:=\-—–]*"
    r"(?:(?:is|was|це|є|это)\s+)?(?:my|the|мій|мой|моя)\s+(?:password|passcode|пароль)\b",
    re.IGNORECASE,
)
# Digits spelled out: "my pin is one two three four", "пін: один два три чотири".
WORD_SECRET = re.compile(
    rf"(?P<lead>\b(?:{_DIGIT_SECRET_WORDS}|{_PASSWORD_WORDS})\b{_SEPARATOR})"
    rf"(?P<value>(?:{_NUMBER_WORDS})(?:[\s,-]+(?:{_NUMBER_WORDS})){{2,7}})(?![\w'ʼ])",
    re.IGNORECASE,
)
# "password: hunter2", "my password is hunter2", "pwd hunter2".
PASSWORD_SECRET = re.compile(
    rf"(?P<lead>\b(?:{_PASSWORD_WORDS})\b{_SEPARATOR})"
    r"(?P<value>[^\s\[\]=:\-—–,.;()\"'«»!?*>\\][^\s\[\]]*)",  # not a JSON escape (\u2014)
    re.IGNORECASE,
)
# "code" preceded by these words is not a secret (an address, a promotion, a dialling code).
_HARMLESS_CODE_PREFIXES = {
    "postal", "post", "zip", "postcode", "promo", "promotional", "referral", "invite",
    "invitation", "country", "area", "dialling", "dialing", "sort", "swift", "bank",
    "discount", "coupon", "voucher", "bonus", "status", "error", "response", "http", "exit",
    "return", "reason", "currency", "mcc", "iso", "source", "qr", "bar", "barcode", "zip-code",
    "поштовий", "почтовый", "промо", "реферальний", "реферальный", "країни", "страны",
    "телефонний", "телефонный", "qr-код", "помилки", "ошибки",
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
_PASSWORD_HINT = re.compile(r"pass|pwd|парол|pin|пін|пин|cvv|код|code", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\W*$")


# The bank's one-time secure pages (`/secure/<token>`) show the full card number and CVV:
# whoever holds the link can open it, so it is never stored or logged. The customer gets it in
# the bot's message; the tracker store, the event broker and the logs keep this stand-in.
SECRET_LINK = re.compile(r"https?://[^\s\"'<>]+/secure/[A-Za-z0-9_\-.~%]+")
SECRET_LINK_STANDIN = "[one-time secure link]"
# Credentials in URLs ("…/trigger_intent?output_channel=latest&token=…", logged by httpx at
# INFO): the value is replaced, the parameter name kept.
TOKEN_PARAM = re.compile(
    r"(?P<lead>[?&](?:token|access_token|auth_token|jwt|api_key|apikey|secret|password)=)"
    r"[^&\s\"'<>]+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    value: str


# "20241206-135750" (a model file's name), "20241206135750123": a date and a time of day, not a
# card number, even when the digits happen to pass the Luhn check.
_TIMESTAMP = re.compile(
    r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d[0-5]\d\d{0,5}"
)


def _is_timestamp(run: str) -> bool:
    groups = _GROUP.findall(run)
    return len(groups[0]) in (8, 14) and bool(_TIMESTAMP.fullmatch("".join(groups)))


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


def _runs(text: str) -> Iterator[re.Match]:
    for m in _CARD_SHAPED_RUN.finditer(text):
        run = m.group()
        if _is_timestamp(run):
            continue
        groups = _GROUP.findall(run)
        # "0.0004631973273535", "1732633614.6598902": a decimal number, not a card
        if len(groups) == 2 and re.fullmatch(r"\d+[.,]\d+", run):
            continue
        yield m


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, _digits(text[start:end]))


def find_card_numbers(text: str) -> list[Span]:
    """Every Luhn-valid card number in `text`, whatever separates its digit groups and in
    whatever script its digits are. `Span.value` is the number as ASCII digits."""
    text = ascii_digits(text)
    spans: list[Span] = []
    for m in _runs(text):
        spans.extend(_span(text, s.start, s.end) for s in _card_groups(m.group(), m.start()))
    return spans


def _card_like(lengths: list[int]) -> bool:
    """Group lengths as card numbers are printed: one run, 4-4-4-4(-3), or Amex 4-6-5."""
    return (len(lengths) == 1 or lengths == [4, 6, 5]
            or (all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4))


def find_invalid_card_numbers(text: str) -> list[Span]:
    """Card-shaped runs of 13–19 digits that fail the Luhn check (a typo): never kept either.
    A run that also holds a valid number (found by `find_card_numbers`) is not reported."""
    text = ascii_digits(text)
    spans: list[Span] = []
    for m in _runs(text):
        run = m.group()
        if any(True for _ in _card_groups(run, m.start())):
            continue
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(run)]
        chosen = None
        # "send 500 4111 1111 1111 1112": the card-shaped tail, not the amount in front
        for i in range(len(groups)):
            tail = groups[i:]
            if (PAN_MIN_DIGITS <= sum(e - b for b, e in tail) <= PAN_MAX_DIGITS
                    and _card_like([e - b for b, e in tail])):
                chosen = groups[i][0]
                break
        if chosen is None and PAN_MIN_DIGITS <= sum(e - b for b, e in groups) <= PAN_MAX_DIGITS:
            chosen = 0
        if chosen is not None:
            spans.append(_span(text, m.start() + chosen, m.end()))
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


# ----------------------------------------------------------------- keyword windows
# Customers announce a secret with a word of its kind and then say it in any order of words:
# "cvc2 on the back says 847", "the code you sent is 581 204", "my password for the app is x",
# "паспорт серія КВ номер 123456", "мій ІПН 3012409876". So each kind of secret is a family of
# keywords (English, Ukrainian, Russian) and a shape of value; after a keyword, the first value
# of that shape in the rest of the sentence is the secret. What cannot be told apart from an
# innocent number near such a word is redacted (the brief: prefer to redact).
_L = "а-яіїєґё"
_CVV_WORDS = (
    r"cvv2?|cvc2?|cvn|csc|cav2|security\s+(?:code|number|digits)"
    r"|(?:on|at|from)\s+the\s+back|back\s+of\s+(?:the|my|your)\s+card|(?:three|3)[\s-]digits?"
    rf"|cvv-?код[{_L}]*|свв|цвв|на\s+звороті|звороті|ззаду|на\s+оборот[{_L}]*|оборот[{_L}]*"
    rf"|сзади|тильн[{_L}]*|обратн[{_L}]*\s+сторон[{_L}]*|код[{_L}]*\s+безпеки"
    rf"|код[{_L}]*\s+безопасности|секретн[{_L}]*\s+код[{_L}]*|три\s+цифр[{_L}]*"
)
_PIN_WORDS = rf"pin(?:[\s-]*(?:code|number))?|пін(?:[\s-]?код[{_L}]*)?|пин(?:[\s-]?код[{_L}]*)?"
_CODE_WORDS = (
    # not "text" alone: it is every JSON event's field name ("text": "send 500 ...")
    r"otp|one[\s-]time\s+(?:code|pin|password)|sms|text\s+(?:message|says|said)"
    r"|(?:verification|confirmation|login|security)\s+(?:code|number)|codes?"
    rf"|смс|sms-?к[{_L}]*|смс-?к[{_L}]*|код[{_L}]*|одноразов[{_L}]*"
)
_TAX_WORDS = (
    rf"іпн|ипн|інн|инн|рнокпп|рнукпп|дрфо|ідентифікаційн[{_L}]*(?:\s+(?:код|номер)[{_L}]*)?"
    rf"|идентификационн[{_L}]*(?:\s+(?:код|номер)[{_L}]*)?"
    rf"|податков[{_L}]*(?:\s+(?:номер|код)[{_L}]*)?|налогов[{_L}]*(?:\s+(?:номер|код)[{_L}]*)?"
    r"|tax(?:payer)?(?:[\s-]*(?:id|identification|number|no|code|#))?|ipn|inn|rnokpp|(?-i:TIN)"
)
_PASSWORD_KEYWORDS = (
    rf"password|passcode|passwd|passphrase|pwd|pw|pass(?=\s*[:=])|парол[{_L}]*|пасворд[{_L}]*"
)
_PASSPORT_KEYWORDS = rf"{_DOCUMENT_WORDS}|сері[{_L}]*|сери[{_L}]*|series"

# A value of 3-8 digits (single spaces or dashes between them: "581 204", "58-12-04"), not part
# of a longer number, a phone (+380...), a date or time, a decimal or a masked card.
_SHORT_DIGITS = re.compile(
    r"(?<![\w+#•])(?<!•\s)(?<!\d[ .,:/-])\d(?:[ -]?\d){2,7}(?![ -]?\d)(?![.,:/]\d)(?!\w)"
)
_TAX_DIGITS = re.compile(  # a tax number (РНОКПП: 10 digits), 8-12 digits to be safe
    r"(?<![\w+#•])(?<!\d[ .,:/-])\d(?:[ -]?\d){7,11}(?![ -]?\d)(?![.,:/]\d)(?!\w)"
)
_PASSPORT_NUMBER = re.compile(
    rf"(?<![\w+#•])(?:[{_LETTER}]{{2}}[ -]?\d{{6,7}}|\d(?:[ -]?\d){{5,8}})(?![ -]?\d)(?!\w)"
)
# A series: two letters right after "серія/series", or right before the number.
_PASSPORT_SERIES = re.compile(
    rf"(?:(?<=серія)|(?<=серия)|(?<=series)|(?<=сер\.))[\s:]*(?P<a>[{_LETTER}]{{2}})(?![\w])"
    rf"|(?<![\w])(?P<b>[{_LETTER}]{{2}})(?=[\s,;:]*(?:(?:№|#|номер|number|no\.?|nr)[\s:]*)?\d{{6,7}}(?!\d))",
    re.IGNORECASE,
)
_AMOUNT_AFTER = re.compile(
    r"\s*(?:uah|грн|гр\b|гривень|гривні|гривня|гривен|гривны|₴|usd|eur|\$|€|%|hrn|hryvn|dollars?)",
    re.IGNORECASE,
)
_AMOUNT_BEFORE = re.compile(r"(?:[$€₴]|uah|грн)\s*$", re.IGNORECASE)
# Where the rest of the sentence ends: a new line, "!" or "?", a full stop before a capital.
_SENTENCE_END = re.compile(r"[!?\n]|\.(?=\s+[A-ZА-ЯЁЇІЄҐ])|\.\s*$")
_PASSWORD_SEPARATOR = re.compile(
    r"(?:\s+(?:is|was|would\s+be|will\s+be|it'?s|its|це|є|это|будет|буде|такий|такой|такая"
    r"|наступний|следующий)\b[\s:=\-—–]*|\s*[:=—–→]\s*|\s+-\s+)(?P<value>[^\s\[\]]+)",
    re.IGNORECASE,
)
# A token a password is made of: letters with digits or symbols ("Kvitka#2024", "Sonce_77").
_PASSWORD_LIKE = re.compile(
    # (not a JSON escape such as \u2014: logs and stored events hold JSON)
    r"(?<![^\s\"'«(])(?=[^\s]*[^\W\d_])(?=[^\s]*[\d#@$%^&*_!~])[^\s\[\]\"'«»(),;\\]{5,}"
)
# What follows "my password is" that is not a password ("my password is not working").
_NOT_A_PASSWORD = {
    "not", "wrong", "incorrect", "invalid", "forgotten", "lost", "expired", "blocked", "locked",
    "too", "very", "the", "a", "same", "correct", "right", "ok", "fine", "working", "stolen",
    "не", "неправильний", "неправильный", "неверный", "невірний", "забутий", "заблокований",
    "заблокирован", "змінений", "изменен",
}  # fmt: skip

_WINDOW_FAMILIES: list[tuple[re.Pattern, re.Pattern, int]] = [
    (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), values, reach)
    for words, values, reach in (
        (_CVV_WORDS, _SHORT_DIGITS, 60),
        (_PIN_WORDS, _SHORT_DIGITS, 60),
        (_CODE_WORDS, _SHORT_DIGITS, 48),
        (_TAX_WORDS, _TAX_DIGITS, 60),
        (_PASSPORT_KEYWORDS, _PASSPORT_NUMBER, 60),
    )
]
_PASSWORD_KEYWORD = re.compile(rf"\b(?:{_PASSWORD_KEYWORDS})", re.IGNORECASE)
_PASSPORT_KEYWORD = _WINDOW_FAMILIES[-1][0]
_CODE_KEYWORD = _WINDOW_FAMILIES[2][0]


_LEADING_PUNCT = re.compile(r"[\s?!:.,]*")


def _window_end(text: str, start: int, reach: int) -> int:
    """Where the sentence after a keyword ends (at most `reach` characters on), or where an
    earlier redaction already took this keyword's value."""
    end = min(len(text), start + reach)
    # "cvv? 847", "password?! it's x": punctuation right after the word is not an end
    start = _LEADING_PUNCT.match(text, start).end()
    stop = _SENTENCE_END.search(text, start, end)
    end = stop.start() if stop else end
    done = text.find(REDACTED, start, end)
    return done if done >= 0 else end


def _is_amount(text: str, m: re.Match) -> bool:
    return bool(_AMOUNT_AFTER.match(text, m.end()) or _AMOUNT_BEFORE.search(text[: m.start()]))


def _window_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for keyword, values, reach in _WINDOW_FAMILIES:
        for k in keyword.finditer(text):
            if keyword is _CODE_KEYWORD and _is_harmless_word(text, k.start()):
                continue
            end = _window_end(text, k.end(), reach)
            for m in values.finditer(text, k.end(), end):
                if not _is_amount(text, m):
                    spans.append(Span(m.start(), m.end(), m.group()))
                    break
            if keyword is _PASSPORT_KEYWORD:
                for m in _PASSPORT_SERIES.finditer(text, k.end(), end):
                    group = "a" if m.group("a") else "b"
                    spans.append(Span(m.start(group), m.end(group), m.group(group)))
    for k in _PASSWORD_KEYWORD.finditer(text):
        end = _window_end(text, k.end(), 60)
        sep = _PASSWORD_SEPARATOR.search(text, k.end(), end)
        if sep is not None:
            value = sep.group("value").rstrip(".,!?;)»\"'")
            if value and value.lower() not in _NOT_A_PASSWORD and not is_ref(value) \
                    and not value.startswith("•"):
                spans.append(Span(sep.start("value"), sep.start("value") + len(value), value))
        for m in _PASSWORD_LIKE.finditer(text, k.end(), end):
            if not is_ref(m.group()):
                spans.append(Span(m.start(), m.end(), m.group()))
    return spans


def _is_harmless_word(text: str, start: int) -> bool:
    """"promo code 12345", "postal code", "status code 500": a code that is not a secret."""
    previous = _WORD_BEFORE.search(text[:start])
    return bool(previous) and previous.group(1).lower() in _HARMLESS_CODE_PREFIXES


# The value before the word of a tax id: "3012409876 is my tax id", "3012409876 — мій ІПН".
TAX_BEFORE = re.compile(
    rf"(?P<value>{_TAX_DIGITS.pattern})[\s:=\-—–,]*(?:(?:is|was|це|є|это)\s+)?"
    rf"(?:(?:my|the|мій|мой|моя|мого)\s+)?(?:{_TAX_WORDS})\b",
    re.IGNORECASE,
)


# Every keyword pattern below needs one of these stems: one cheap scan decides whether the
# (slower) keyword patterns run at all (bench/bench_redaction.py).
_KEYWORD_HINT = re.compile(
    r"\b(?:pin|cvv|cvc|cvn|csc|code|otp|pass|pwd|sms|security|verification|id|identity|"
    r"national|document|born|birth|dob|d\.o\.b|b-?day|пін|пин|свв|цвв|cvv|код|парол|паспорт|"
    r"ід|id|айді|документ|посвідч|удостовер|запис|унзр|одноразов|тризначн|трехзначн|"
    r"back|three|3-digit|звор|ззаду|оборот|сзади|тильн|обратн|три|секрет|безпек|безопас|pw|"
    r"tax|tin|іпн|ипн|інн|инн|рнокпп|рнукпп|дрфо|ідентиф|идентиф|податк|налог|сері|сери|"
    r"series|ipn|inn|rnokpp|text|смс|пасворд)",
    re.IGNORECASE,
)


def find_secret_phrases(text: str, birth_dates: bool = True) -> list[Span]:
    """Values announced as a PIN, CVV, one-time code or password, passport numbers and dates
    of birth."""
    spans: list[Span] = []
    for m in PASSPORT_STANDALONE.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group()))
    for m in RECORD_NUMBER.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group()))
    if not _KEYWORD_HINT.search(text):
        return _without_overlaps(spans)
    for m in DIGIT_SECRET.finditer(text):
        if not _is_harmless_code(text, m):
            spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    for m in DIGIT_SECRET_BEFORE.finditer(text):
        spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    for m in PASSWORD_BEFORE.finditer(text):
        if not is_ref(m.group("value")):
            spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    for m in WORD_SECRET.finditer(text):
        spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    for m in PASSPORT_BEFORE_WORD.finditer(text):
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
    for m in TAX_BEFORE.finditer(text):
        spans.append(Span(m.start("value"), m.end("value"), m.group("value")))
    spans.extend(_window_spans(text))
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
    if "/secure/" in text:
        text = SECRET_LINK.sub(SECRET_LINK_STANDIN, text)
    if "=" in text and ("?" in text or "&" in text):
        text = TOKEN_PARAM.sub(lambda m: m.group("lead") + REDACTED, text)
    if not text or not (any(ch.isdigit() for ch in text) or _PASSWORD_HINT.search(text)):
        return text  # fast path: every pattern needs a digit, except passwords / spelled digits
    text = ascii_digits(text)
    cards = sorted(find_card_numbers(text) + find_invalid_card_numbers(text),
                   key=lambda s: s.start)
    text = replace_spans(text, cards, lambda s: mask_card_number(s.value))
    return replace_spans(text, find_secret_phrases(text, birth_dates), lambda _s: REDACTED)


# Structured data (message metadata, entity values, forms) under these keys is a secret
# whatever its shape: {"cvv": "123"} has no phrase around the value.
SENSITIVE_KEYS = re.compile(
    r"^(?:pin|pin_?code|cvv2?|cvc2?|csc|security_?code|password|passwd|pwd|otp|otp_?code|"
    r"sms_?code|one_?time_?code|passport|passport_?(?:number|no)|id_?card(?:_?number)?|"
    r"pan|card_?(?:number|no|num)|cardnumber)$",
    re.IGNORECASE,
)


# Deeper than this, a structure is replaced by a stand-in instead of walked (recursion): the
# channel guard refuses such metadata; this keeps the tracker store and the logs from crashing
# on whatever else arrives nested (RecursionError, issue 22).
MAX_DEPTH = 64
TOO_DEEP = "[redacted: nested too deep]"


def redact_obj(value: Any, _depth: int = 0) -> Any:
    """`redact_text` applied to every string (and long integer) inside dicts, lists and tuples.

    Keys are kept (they are field names); a new structure is returned, the input is not changed.
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (dict, list, tuple)) and _depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {key: _redact_item(key, item, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_obj(item, _depth + 1) for item in value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        # A card number that arrived as a JSON number (e.g. an entity value).
        as_text = str(value)
        redacted = redact_text(as_text)
        return value if redacted == as_text else redacted
    return value


def _redact_item(key: Any, item: Any, depth: int) -> Any:
    if (isinstance(key, str) and SENSITIVE_KEYS.match(key) and item not in (None, "", REDACTED)
            and not is_ref(item) and isinstance(item, (str, int))
            and not isinstance(item, bool)):
        redacted = redact_obj(item, depth)
        return redacted if redacted != item else REDACTED
    return redact_obj(item, depth)


def contains_sensitive(text: str) -> bool:
    """True when `text` still holds something `redact_text` would change (for scanners)."""
    return redact_text(text) != text
