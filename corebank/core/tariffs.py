"""The card tariffs on offer: one place for what GET /tariffs shows, what issuing applies and
what a verified customer is told (credit limit, cashback)."""

from __future__ import annotations

from decimal import Decimal

from corebank.core.money import fmt
from corebank.core.settings import get_settings

# Partner categories of the Digital Tariff Card, lowest to highest rate.
CASHBACK_CATEGORIES: list[dict[str, str]] = [
    {"category": "supermarkets", "title": "Supermarkets", "percent": "2"},
    {"category": "pharmacies", "title": "Pharmacies", "percent": "3"},
    {"category": "fast_food", "title": "Fast food", "percent": "5"},
    {"category": "taxi", "title": "Taxi", "percent": "7"},
    {"category": "streaming", "title": "Streaming services", "percent": "10"},
    {"category": "game_arena", "title": "Game arena", "percent": "15"},
    {"category": "ice_cream", "title": "Ice cream", "percent": "33"},
]

TIERS = ("basic", "tariff")
TIER_NAMES = {"basic": "Basic digital card", "tariff": "Digital Tariff Card"}


def cashback_summary() -> dict[str, object]:
    rates = [Decimal(c["percent"]) for c in CASHBACK_CATEGORIES]
    return {
        "min_percent": str(min(rates)),
        "max_percent": str(max(rates)),
        "categories": CASHBACK_CATEGORIES,
    }


def plastic_terms() -> dict[str, object]:
    s = get_settings()
    return {
        "available_for": ["tariff"],
        "price": "0.00",
        "currency": "UAH",
        "delivery_business_days": s.plastic_delivery_days,
        "delivery": "courier to a Ukrainian address (street, city)",
    }


def tariffs() -> dict[str, object]:
    s = get_settings()
    fee_rule = f"{s.network_fee_percent.normalize()}%, min {fmt(s.network_fee_min)} UAH"
    return {
        "tariffs": [
            {
                "code": "basic",
                "name": TIER_NAMES["basic"],
                "monthly_fee": "0.00",
                "issue_fee": "0.00",
                "currency": "UAH",
                "credit_limit": "0.00",
                "cashback": None,
                "requirements": ["holder name", "phone verified by SMS code"],
                "plastic": False,
                "conditions": [
                    "Free digital card, issued in the chat in seconds",
                    "No credit limit",
                    "Upgrade to the Digital Tariff Card after identity verification",
                ],
            },
            {
                "code": "tariff",
                "name": TIER_NAMES["tariff"],
                "monthly_fee": "0.00",
                "issue_fee": "0.00",
                "currency": "UAH",
                "credit_limit": fmt(s.tariff_credit_limit),
                "cashback": cashback_summary(),
                "requirements": [
                    "age 18+",
                    "Ukrainian passport or ID card",
                    "address",
                    "consent to data processing",
                ],
                "plastic": True,
                "conditions": [
                    f"Credit limit up to {fmt(s.tariff_credit_limit)} UAH",
                    "Cashback from 2% to 33% at partner categories",
                    "Free plastic card delivery",
                ],
            },
        ],
        "plastic_delivery": plastic_terms(),
        "transfers": {
            "own_bank_fee": "0.00",
            "other_bank_fee": fee_rule,
            "per_transfer_limit": fmt(s.per_transfer_limit),
            "daily_limit": fmt(s.daily_transfer_limit),
        },
    }
