"""Reading what the customer asked about from the text: a partner (typed any way: typos, no
spaces, Cyrillic), a topic (games, streaming, food…), and whether they want a promo code.
The NLU decides only the intent (`partner_offers`); names are matched here against the bank's
catalog (names and aliases), so a new partner needs no retraining."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bankclient import Offer

WORD_RE = re.compile(r"[\w']+", re.UNICODE)

TOPICS = {
    "games": ("game", "games", "gaming", "gamer", "gamers", "arena", "esports", "play", "игры",
              "ігри"),
    "streaming": ("stream", "streaming", "streamer", "streamers", "movies", "series", "cinema",
                  "subscription", "subs", "tv"),
    "fast food": ("burger", "burgers", "fast", "food", "restaurant", "restaurants", "whopper",
                  "lunch"),
    "ice cream": ("ice", "icecream", "morozyvo", "морозиво", "мороженое"),
    "supermarkets": ("supermarket", "supermarkets", "groceries", "grocery", "shop", "shops",
                     "market"),
}
PROMO_WORDS = ("promo", "promocode", "promokod", "promokode", "code", "coupon", "voucher",
               "activate", "промокод", "kod")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(text or "")]


def _names(offer: Offer) -> Iterable[str]:
    yield offer.partner_name.lower()
    yield offer.partner_id.replace("_", " ")
    yield from (a.lower() for a in offer.aliases)


def _close(candidate: str, name: str) -> bool:
    if candidate == name:
        return True
    if len(name) < 4 or len(candidate) < 4:
        return False
    cutoff = 0.8 if len(name) >= 6 else 0.75
    return difflib.SequenceMatcher(None, candidate, name).ratio() >= cutoff


def match_partner(text: str, offers: tuple[Offer, ...]) -> str | None:
    """The partner id named in `text` (best match), or None."""
    tokens = words(text)
    grams = set(tokens)
    grams.update(" ".join(tokens[i:i + 2]) for i in range(len(tokens) - 1))
    grams.update("".join(tokens[i:i + 2]) for i in range(len(tokens) - 1))
    best: tuple[float, str] | None = None
    for offer in offers:
        for name in _names(offer):
            for gram in grams:
                if gram in TOPIC_WORDS and gram != name:
                    continue  # "arena" alone is a topic word unless it is the whole name
                if _close(gram, name):
                    score = difflib.SequenceMatcher(None, gram, name).ratio() + len(name) / 100
                    if best is None or score > best[0]:
                        best = (score, offer.partner_id)
    return best[1] if best else None


TOPIC_WORDS = {w for ws in TOPICS.values() for w in ws}


def match_topic(text: str) -> str | None:
    tokens = set(words(text))
    for topic, ws in TOPICS.items():
        if tokens.intersection(ws):
            return topic
    return None


def wants_promo_code(text: str) -> bool:
    tokens = words(text)
    return any(t.startswith(PROMO_WORDS) for t in tokens)


def on_topic(offer: Offer, topic: str) -> bool:
    return topic in offer.tags or offer.category.replace("_", " ") == topic \
        or (topic == "games" and offer.category == "game_arena")
