"""Find the entity-shaped spans that must never decide the intent.

Phone numbers, amounts, vault references (ctok_/otok_/ptok_) and a customer's name after
"my name is …" carry no intent: "I want a card, my name is Marko Vovk" is issue_card whatever
the name is, and "+380 67 123 45 67" is the same answer whichever digits are typed. Both the
token rewriter (`entity_placeholders.EntityPlaceholders`, for the count featurizers and DIET)
and the sentence-embedding featurizer use these spans, so a fresh name or number reaches every
featurizer as the same constant. The message text itself is never changed: the regex entity
extractor and DIET's entity spans still see the real value.
"""

from __future__ import annotations

import re
from typing import NamedTuple

PHONE = "phone"
NAME = "name"
AMOUNT = "amount"
CARD_REF, OTP_REF, PASSPORT_REF = "ctok", "otok", "ptok"

# Ukrainian numbers: +380 / 380 / 0 followed by 9 digits, with optional spaces, dashes, dots,
# or brackets around the operator code ("+380 (67) 123-45-67", "0671234567", "067 123 45 67").
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+?38[\s-]?)?\(?0(?:[\s().-]{0,2}\d){9}(?![\w])")
_REF_RE = re.compile(r"\b(ctok|otok|ptok)_[A-Za-z0-9]+\b")
# A word that names an identifier, right before a number ("account 123456", "№ 12").
IDENTIFIER_CUE_RE = re.compile(
    r"(?:\b(?:account|acc|acct|a/c|contract|meter|reading|customer|client|subscriber|department|"
    r"dept|office|branch|unit|apt|apartment|flat|house|building|postcode|zip|id|ref|"
    r"рахунок|рахунку|особовий|договір|договору|лічильник|відділ|кв|будинок|"
    r"счет|счёт|лицевой|договор|счетчик|отдел)|№|#)\s*[:.#№-]?\s*$",
    re.IGNORECASE,
)
# A number that is not part of a longer token: 50, 1 500, 1,500.50, 200.00, 20k
_AMOUNT_RE = re.compile(
    r"(?<![\w.,/:+-])\d{1,3}(?:[ ,]\d{3})+(?:[.,]\d{1,2})?(?![\w.,/:-]?\d)"
    r"|(?<![\w.,/:+-])\d+(?:[.,]\d{1,2})?k?(?![\w/:-]|[.,]\d)"
)

# Cues after which the next words are the customer's name, whatever their case.
_NAME_CUE_ANY_CASE = re.compile(
    r"\b(?:my\s+(?:full\s+|first\s+|last\s+)?name\s+is|my\s+name'?s|the\s+name\s+is|name\s*[:\-]?|"
    r"(?:first|last|full)\s+name\s*(?:is|[:\-])?|call\s+me|in\s+the\s+name\s+of)\s+",
    re.IGNORECASE,
)
# Cues after which only Capitalised words are a name ("i'm Yurii Holub", not "i'm hungry").
_NAME_CUE_CAPITALISED = re.compile(r"\b(?:i'?m|i\s+am|this\s+is|it'?s)\s+", re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")
# Words that end a name even in lower case ("my name is anna and i want a card").
_NOT_NAME = {
    "and",
    "i",
    "im",
    "i'm",
    "want",
    "wanna",
    "would",
    "need",
    "please",
    "pls",
    "plz",
    "can",
    "could",
    "here",
    "from",
    "my",
    "the",
    "a",
    "an",
    "to",
    "for",
    "with",
    "born",
    "phone",
    "number",
    "passport",
    "card",
    "but",
    "so",
    "also",
    "too",
    "not",
    "is",
    "am",
    "are",
    "was",
    "thanks",
    "thank",
    "hi",
    "hello",
    "hey",
    "let",
    "lets",
    "give",
    "get",
    "open",
    "make",
    "ok",
    "okay",
    "yes",
    "no",
    "like",
    "d",
    "id",
    "i'd",
    "just",
    "new",
    "again",
    "tariff",
    "digital",
    "basic",
    "premium",
    "on",
    "in",
    "at",
    "of",
    "by",
    "as",
    "or",
    "if",
}


class Span(NamedTuple):
    start: int
    end: int
    kind: str


def _name_after(text: str, pos: int, capitalised_only: bool) -> Span | None:
    words, cursor = [], pos
    while len(words) < 4:
        gap = re.match(r"[ \t]*", text[cursor:])
        at = cursor + gap.end()
        match = _NAME_WORD.match(text, at)
        if not match:
            break
        word = match.group(0)
        if word.lower() in _NOT_NAME or (capitalised_only and not word[0].isupper()):
            break
        words.append(match)
        cursor = match.end()
    if not words:
        return None
    return Span(words[0].start(), words[-1].end(), NAME)


def find_spans(text: str) -> list[Span]:
    """Non-overlapping entity-shaped spans in `text`, in order."""
    spans: list[Span] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s.start or start >= s.end for s in spans)

    for match in _REF_RE.finditer(text):
        spans.append(Span(match.start(), match.end(), match.group(1)))
    for match in _PHONE_RE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        if free(start, end):
            spans.append(Span(start, end, PHONE))
    for cue, capitalised in ((_NAME_CUE_ANY_CASE, False), (_NAME_CUE_CAPITALISED, True)):
        for match in cue.finditer(text):
            span = _name_after(text, match.end(), capitalised)
            if span and free(span.start, span.end):
                spans.append(span)
    for match in _AMOUNT_RE.finditer(text):
        # "account 123456" is an identifier: it keeps its digits for the featurizers, so DIET can
        # tell it from the amount beside it ("pay internet 25.50 account 123456")
        if IDENTIFIER_CUE_RE.search(text[max(0, match.start() - 40):match.start()]):
            continue
        if free(match.start(), match.end()):
            spans.append(Span(match.start(), match.end(), AMOUNT))
    return sorted(spans)


# What the sentence encoder reads instead of each span: ordinary words it knows.
EMBEDDING_TEXT = {
    PHONE: "phone number",
    NAME: "Alex",
    AMOUNT: "100",
    CARD_REF: "card number",
    OTP_REF: "code",
    PASSPORT_REF: "passport",
}


def masked_text(text: str, replacements: dict[str, str] = EMBEDDING_TEXT) -> str:
    """`text` with every entity-shaped span replaced by its constant."""
    out, last = [], 0
    for span in find_spans(text):
        out.append(text[last : span.start])
        out.append(replacements[span.kind])
        last = span.end
    out.append(text[last:])
    return "".join(out)
