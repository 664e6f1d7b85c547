"""The partner catalog: partners, their offers (cashback, promo codes) and the campaign links
that bring newcomers. Code, not tables: a real bank replaces this module with its own catalog.

Offer `eligibility`: "tariff" (Digital Tariff Card holders) or "any" (any card holder).
A promo-code offer names the `campaign` the partner's API issues codes for (partnersandbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offer:
    id: str
    partner_id: str
    kind: str  # cashback | promo_code
    title: str
    details: str
    eligibility: str = "tariff"  # tariff | any
    percent: Decimal | None = None  # cashback offers
    campaign: str | None = None  # promo-code offers: the partner API's campaign id
    starts_at: datetime = datetime(2026, 1, 1)
    ends_at: datetime = datetime(2027, 12, 31, 23, 59, 59)
    tags: tuple[str, ...] = field(default_factory=tuple)

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now <= self.ends_at


@dataclass(frozen=True)
class Campaign:
    """A partner campaign link that onboards newcomers (`pc_<id>` deep-link parameter)."""

    id: str
    partner_id: str
    welcome_kind: str  # bonus | boosted_cashback
    amount: Decimal | None = None
    boost_percent: Decimal | None = None
    days: int = 30


PARTNERS = (
    Partner("cyber_arena", "Cyber Arena", "game_arena",
            ("cyberarena", "game arena", "gaming club", "arena", "кібер арена")),
    Partner("twitch", "Twitch", "streaming", ("twich", "twitch tv", "твіч", "твич")),
    Partner("megogo", "Megogo", "streaming", ("мегого", "megogo tv")),
    Partner("burger_king", "Burger King", "fast_food",
            ("burgerking", "bk", "burger", "whopper", "бургер кінг", "бургер кинг")),
    Partner("rud", "Rud Ice Cream", "ice_cream", ("rud", "рудь", "ice cream", "морозиво")),
    Partner("silpo", "Silpo", "supermarkets", ("сільпо", "сильпо")),
    Partner("atb", "ATB", "supermarkets", ("атб", "atb market")),
)

OFFERS = (
    Offer("arena_cashback", "cyber_arena", "cashback", "15% cashback at Cyber Arena",
          "15% back on every game session paid with the Digital Tariff Card.",
          percent=Decimal("15"), tags=("games", "gaming")),
    Offer("arena_2h", "cyber_arena", "promo_code", "2 free hours at Cyber Arena",
          "A personal promo code for 2 free hours of play, for any card holder.",
          eligibility="any", campaign="ARENA2H", tags=("games", "gaming")),
    Offer("twitch_turbo", "twitch", "promo_code", "A month of Twitch Turbo for free",
          "A personal promo code for one month of Twitch Turbo (Digital Tariff Card holders).",
          campaign="TWITCH_TURBO", tags=("streaming", "games")),
    Offer("twitch_cashback", "twitch", "cashback", "10% cashback on Twitch subscriptions",
          "10% back on Twitch subscriptions and Bits.", percent=Decimal("10"),
          tags=("streaming",)),
    Offer("megogo_cashback", "megogo", "cashback", "10% cashback at Megogo",
          "10% back on Megogo subscriptions.", percent=Decimal("10"), tags=("streaming",)),
    Offer("bk_cashback", "burger_king", "cashback", "5% cashback at Burger King",
          "5% back on every Burger King order.", percent=Decimal("5"), tags=("fast food",)),
    Offer("bk_whopper", "burger_king", "promo_code", "A free Whopper with an order from 200 UAH",
          "A personal promo code: a free Whopper with any order from 200 UAH, any card holder.",
          eligibility="any", campaign="BK_WHOPPER", tags=("fast food",)),
    Offer("rud_cashback", "rud", "cashback", "33% cashback on Rud ice cream",
          "33% back on Rud ice cream, the highest rate of the Tariff Card.",
          percent=Decimal("33"), tags=("ice cream",)),
    Offer("rud_summer", "rud", "promo_code", "Summer ice cream promo",
          "A free ice cream with every second one (summer 2026 campaign).", eligibility="any",
          campaign="RUD_SUMMER", starts_at=datetime(2026, 6, 1),
          ends_at=datetime(2026, 8, 31, 23, 59, 59), tags=("ice cream",)),
    Offer("silpo_cashback", "silpo", "cashback", "2% cashback at Silpo",
          "2% back on groceries at Silpo.", percent=Decimal("2"), tags=("supermarkets",)),
    Offer("atb_cashback", "atb", "cashback", "2% cashback at ATB",
          "2% back on groceries at ATB.", percent=Decimal("2"), tags=("supermarkets",)),
)

CAMPAIGNS = (
    Campaign("twitch", "twitch", "boosted_cashback", boost_percent=Decimal("10")),
    Campaign("arena", "cyber_arena", "bonus", amount=Decimal("100.00")),
)

PARTNERS_BY_ID = {p.id: p for p in PARTNERS}
OFFERS_BY_ID = {o.id: o for o in OFFERS}
CAMPAIGNS_BY_ID = {c.id: c for c in CAMPAIGNS}


def offer_body(offer: Offer, now: datetime) -> dict:
    partner = PARTNERS_BY_ID[offer.partner_id]
    return {
        "offer_id": offer.id,
        "partner_id": partner.id,
        "partner_name": partner.name,
        "category": partner.category,
        "aliases": list(partner.aliases),
        "kind": offer.kind,
        "campaign": offer.campaign,
        "title": offer.title,
        "details": offer.details,
        "eligibility": offer.eligibility,
        "percent": str(offer.percent) if offer.percent is not None else None,
        "starts_at": offer.starts_at.date().isoformat(),
        "ends_at": offer.ends_at.date().isoformat(),
        "active": offer.active(now),
        "tags": list(offer.tags),
    }


def partner_body(partner: Partner) -> dict:
    return {"partner_id": partner.id, "name": partner.name, "category": partner.category,
            "aliases": list(partner.aliases)}
