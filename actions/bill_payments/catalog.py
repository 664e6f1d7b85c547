"""The provider catalog as the assistant reads it: fetched from the bank (cached for a while),
providers found in free text (exact names and aliases first, then fuzzy matching for typos and
transliterations), categories named in words, the mobile operator from a phone number's prefix,
and field validation generated from each provider's own field descriptions."""

from __future__ import annotations

import difflib
import os
import re
import time
from decimal import Decimal

from actions.common.bank import bank
from bankclient import Provider

CATEGORIES = ("mobile", "utilities", "tv", "internet", "transport")
CATEGORY_TITLES = {
    "mobile": "Mobile", "utilities": "Utilities", "tv": "TV", "internet": "Internet",
    "transport": "Transport",
}  # fmt: skip
# Words that name a category (not a provider): "pay for tv", "top up my phone".
CATEGORY_WORDS = {
    "mobile": r"phone|mobile|cell|sim|operator|airtime|top ?up my number",
    "utilities": r"utilit\w*|communal|housing|rent|apartment|flat|garbage|intercom|meter",
    "tv": r"tv|television|tele|cable|satellite|streaming|subscription",
    "internet": r"internet|inet|wi-?fi|broadband|provider|home network",
    "transport": r"transport|metro|subway|bus|tram|travel|ticket|pass|parking",
}
_CATEGORY_RES = {c: re.compile(rf"\b(?:{w})s?\b", re.IGNORECASE) for c, w in CATEGORY_WORDS.items()}
OWN_PHONE_RE = re.compile(
    r"\bmy\s+(?:own\s+)?(?:phone|mobile|number|cell|sim)\b|\bmyself\b", re.IGNORECASE
)
# A Ukrainian phone number in any local format: +380 67 123 45 67, 380671234567, 067-123-45-67,
# (067) 123 4567, 0671234567.
PHONE_RE = re.compile(
    r"(?<![\d+])(?:\+?3\s?8\s?)?\(?0\s?\d\s?\d\)?[\s-]?\d(?:[\s-]?\d){6}(?!\d)"
)
_WORD_RE = re.compile(r"[a-z0-9:]+")
CACHE_SECONDS = float(os.environ.get("BILL_CATALOG_CACHE_SECONDS") or 300)

_cache: tuple[float, tuple[Provider, ...]] | None = None


async def providers() -> tuple[Provider, ...]:
    """The whole catalog (one legacy call every CACHE_SECONDS at most)."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > CACHE_SECONDS:
        _cache = (now, await bank().bills.providers())
    return _cache[1]


def by_id(catalog: tuple[Provider, ...], provider_id: str | None) -> Provider | None:
    return next((p for p in catalog if p.provider_id == provider_id), None)


def in_category(catalog: tuple[Provider, ...], category: str) -> list[Provider]:
    return [p for p in catalog if p.category == category]


def category_in(text: str) -> str | None:
    """The category the customer names in words ("pay for tv" → tv), if exactly one."""
    found = [c for c, r in _CATEGORY_RES.items() if r.search(text or "")]
    return found[0] if len(found) == 1 else None


def _norm(text: str) -> str:
    return " ".join(_WORD_RE.findall((text or "").lower().replace("'", "")))


def provider_in(catalog: tuple[Provider, ...], text: str) -> Provider | None:
    """The provider the text names: a name or alias as a whole phrase, else the closest name to
    one of the text's words or word pairs (typos, transliterations: "kievstar", "vodafon",
    "naftohaz"). Short words are never guessed."""
    words = _norm(text).split()
    if not words:
        return None
    phrase = f" {' '.join(words)} "
    names: list[tuple[str, Provider]] = [
        (_norm(n), p) for p in catalog for n in p.names if _norm(n)
    ]
    # longest names first: "kyiv metro" before "metro"
    for name, provider in sorted(names, key=lambda item: -len(item[0])):
        if f" {name} " in phrase:
            return provider
    grams = set(words) | {" ".join(words[i:i + 2]) for i in range(len(words) - 1)}
    candidates = {name: p for name, p in names if len(name) >= 4}
    best: tuple[float, Provider | None] = (0.0, None)
    for gram in grams:
        if len(gram) < 4:
            continue
        for name, provider in candidates.items():
            score = difflib.SequenceMatcher(None, gram, name).ratio()
            if score > best[0]:
                best = (score, provider)
    return best[1] if best[0] >= 0.8 else None


def phones_in(text: str) -> list[str]:
    return [m.group(0) for m in PHONE_RE.finditer(text or "")]


def mobile_for(catalog: tuple[Provider, ...], phone: str) -> Provider | None:
    """The operator whose numbers start like this one (the catalog's own account rules)."""
    for provider in in_category(catalog, "mobile"):
        field = provider.field("account")
        if field is not None and field.normalise(phone) is not None:
            return provider
    return None


def check_field(provider: Provider, name: str, raw: str) -> tuple[str | None, str | None]:
    """(normalised value, None) or (None, one sentence saying what is wrong), from the
    provider's own description of the field."""
    field = provider.field(name)
    if field is None:
        return raw, None
    value = field.normalise(raw)
    if value is None:
        example = f" (for example {field.example})" if field.example else ""
        return None, f"{field.label} for {provider.name} must be {field.hint}{example}."
    if provider.category == "mobile" and name == "account":
        value = "+380" + re.sub(r"\D", "", value)[-9:]
    return value, None


def amount_problem(provider: Provider, amount: Decimal) -> str | None:
    low, high = provider.min_amount, provider.max_amount
    if low is not None and amount < low or high is not None and amount > high:
        return f"{provider.name} accepts from {low} to {high} UAH."
    return None


def mask(account: str | None) -> str:
    """What the chat shows of an account or phone number: its last 4 characters."""
    value = re.sub(r"[\s-]", "", account or "")
    return f"•••• {value[-4:]}" if len(value) > 4 else value
