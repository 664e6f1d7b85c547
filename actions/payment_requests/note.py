"""The note for the friend, taken from the request ("for dinner" → "dinner")."""

from __future__ import annotations

import re

from bankclient import refs

NOTE_MAX = 140
# "... for the concert tickets", "... for dinner!" (not "for 50 dollars", not "for me").
NOTE_RE = re.compile(r"\bfor\s+(?:the\s+|a\s+|an\s+|our\s+|my\s+)?([^\d\s][^.!?\n]{1,80})",
                     re.IGNORECASE)  # fmt: skip
_NOT_A_NOTE = re.compile(
    r"^(me|him|her|them|us|money|it|this|that|you|a friend|my friend|friends?|payment|"
    r"a payment|a link|link|[a-z]+ (dollars?|uah|hryvnias?|euros?))\b",
    re.IGNORECASE,
)
REDACTED = "[redacted]"  # what the channel layer leaves of a secret it could not vault


def note_from(text: str) -> str | None:
    """A short note for the friend from the request text, or None."""
    text = refs.ANY_REF_RE.sub("", (text or "").replace(REDACTED, ""))
    for match in NOTE_RE.finditer(text):
        note = match.group(1).strip(" ,;:-")
        if note and not _NOT_A_NOTE.match(note) and not re.search(r"\d{4,}", note):
            return note[:NOTE_MAX]
    return None
