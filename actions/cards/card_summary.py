"""What `card_info` says about a card the customer already has: one small function per line, so
another capability's line (e.g. a welcome bonus) is one more function in `CARD_LINES`.

Each line function takes the card and the bank's catalogue (tariffs, transfer limits) and returns
a line or None (nothing to say). Only the masked number ever appears.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from actions.common.money import money_text
from bankclient import Card, Tariffs

STATUS_WORDS = {
    "active": "active",
    "frozen": "frozen (you can unfreeze it here)",
    "blocked": "blocked for good",
}

CardLine = Callable[[Card, "Tariffs | None"], "str | None"]


def title_line(card: Card, catalogue: Tariffs | None) -> str | None:
    tariff = catalogue.get(card.tariff) if catalogue else None
    name = card.tariff_name or (tariff.name if tariff else card.tariff)
    return f"{card.masked}, {name}"


def status_line(card: Card, catalogue: Tariffs | None) -> str | None:
    return f"Status: {STATUS_WORDS.get(card.status, card.status)}"


def expiry_line(card: Card, catalogue: Tariffs | None) -> str | None:
    return f"Valid until: {card.expiry}" if card.expiry else None


def limits_line(card: Card, catalogue: Tariffs | None) -> str | None:
    terms = catalogue.transfers if catalogue else None
    if terms is None or card.status == "blocked":
        return None
    parts = []
    if terms.per_transfer_limit is not None:
        parts.append(f"{money_text(terms.per_transfer_limit, 'UAH')} per transfer")
    if terms.daily_limit is not None:
        parts.append(f"{money_text(terms.daily_limit, 'UAH')} a day")
    return f"Transfer limits: {', '.join(parts)}" if parts else None


def credit_line(card: Card, catalogue: Tariffs | None) -> str | None:
    tariff = catalogue.get(card.tariff) if catalogue else None
    limit = card.credit_limit if card.credit_limit is not None else (
        tariff.credit_limit if tariff else None)
    if not limit:
        return None
    return f"Credit limit: up to {money_text(limit, tariff.currency if tariff else 'UAH')}"


def cashback_line(card: Card, catalogue: Tariffs | None) -> str | None:
    tariff = catalogue.get(card.tariff) if catalogue else None
    cashback = card.cashback or (tariff.cashback if tariff else None)
    if cashback is None or card.status == "blocked":
        return None
    return f"Cashback: {cashback.min_percent}% to {cashback.max_percent}% by partner category"


CARD_LINES: list[CardLine] = [title_line, status_line, expiry_line, limits_line, credit_line,
                              cashback_line]


def card_summary(card: Card, catalogue: Tariffs | None,
                 lines: Sequence[CardLine] = CARD_LINES) -> str:
    return "\n".join(text for line in lines if (text := line(card, catalogue)))


def cards_summary(cards: Sequence[Card], catalogue: Tariffs | None) -> str:
    shown = [c for c in cards if c.status != "blocked"] or list(cards)[-1:]
    title = "Your card:" if len(shown) == 1 else "Your cards:"
    return "\n\n".join([title, *(card_summary(c, catalogue) for c in shown)])
