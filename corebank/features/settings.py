"""Tunables of the feature endpoints (environment, safe defaults).

Read at call time, not import time, so a test can start the sandbox with short TTLs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal


def _dec(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


@dataclass(frozen=True)
class FeatureSettings:
    per_transfer_limit: Decimal
    daily_transfer_limit: Decimal
    network_fee_percent: Decimal
    network_fee_min: Decimal
    tariff_credit_limit: Decimal
    quote_ttl_seconds: int
    secure_link_ttl_seconds: int
    topup_ttl_seconds: int
    payment_request_ttl_seconds: int
    threeds_code: str
    webhook_max_attempts: int
    webhook_retry_base_seconds: float
    webhook_timeout_seconds: float
    sweep_interval_seconds: float
    plastic_delivery_days: int


def feature_settings() -> FeatureSettings:
    return FeatureSettings(
        per_transfer_limit=_dec("TRANSFER_LIMIT_PER_TRANSFER", "30000.00"),
        daily_transfer_limit=_dec("TRANSFER_LIMIT_DAILY", "100000.00"),
        network_fee_percent=_dec("NETWORK_FEE_PERCENT", "1.0"),
        network_fee_min=_dec("NETWORK_FEE_MIN", "5.00"),
        tariff_credit_limit=_dec("TARIFF_CREDIT_LIMIT", "50000.00"),
        quote_ttl_seconds=_int("QUOTE_TTL_SECONDS", 600),
        secure_link_ttl_seconds=_int("SECURE_LINK_TTL_SECONDS", 300),
        topup_ttl_seconds=_int("TOPUP_TTL_SECONDS", 900),
        payment_request_ttl_seconds=_int("PAYMENT_REQUEST_TTL_SECONDS", 72 * 3600),
        threeds_code=os.environ.get("SANDBOX_3DS_CODE", "111111"),
        webhook_max_attempts=_int("WEBHOOK_MAX_ATTEMPTS", 10),
        webhook_retry_base_seconds=_float("WEBHOOK_RETRY_BASE_SECONDS", 1.0),
        webhook_timeout_seconds=_float("WEBHOOK_TIMEOUT_SECONDS", 3.0),
        sweep_interval_seconds=_float("FEATURES_SWEEP_SECONDS", 2.0),
        plastic_delivery_days=_int("PLASTIC_DELIVERY_BUSINESS_DAYS", 5),
    )
