"""The partners' promo-code client (bankclient/partners.py `PartnerSandbox`, the bank client's
external side) against the real partners sandbox over HTTP: API-key auth, one code per
customer and campaign, the time budget, a retry only with an idempotency key, typed errors."""

from __future__ import annotations

import time

import pytest

from bankclient import PartnerError, PartnerSandbox, PartnerSettings, PartnerUnavailable
from bankclient.partners import default_registry


def client(partners, **kw) -> PartnerSandbox:
    settings = {"base_url": partners.base_url, "api_key": partners.api_key, **kw}
    return PartnerSandbox(PartnerSettings(**settings))


async def test_a_code_once_per_customer_and_campaign(partners):
    api = client(partners)
    try:
        first = await api.issue_promo_code("burger_king", "cust-a", "BK_WHOPPER",
                                           idempotency_key="k-a-1")
        assert first.code.startswith("BK-") and first.gives == "a free Whopper"
        again = await api.issue_promo_code("burger_king", "cust-a", "BK_WHOPPER",
                                           idempotency_key="k-a-1")
        other_key = await api.issue_promo_code("burger_king", "cust-a", "BK_WHOPPER",
                                               idempotency_key="k-a-2")
        assert again.code == first.code == other_key.code
        other = await api.issue_promo_code("burger_king", "cust-b", "BK_WHOPPER",
                                           idempotency_key="k-b-1")
        assert other.code != first.code
    finally:
        await api.close()


async def test_typed_errors(partners):
    wrong_key = client(partners, api_key="not-the-key")
    api = client(partners)
    try:
        with pytest.raises(PartnerError) as info:
            await wrong_key.issue_promo_code("twitch", "c", "TWITCH_TURBO", idempotency_key="k1")
        assert info.value.status == 401 and info.value.details["partner"] == "partner_sandbox"
        with pytest.raises(PartnerError) as info:
            await api.issue_promo_code("twitch", "c", "BK_WHOPPER", idempotency_key="k2")
        assert info.value.code == "unknown_campaign"
        with pytest.raises(PartnerError) as info:
            await api.issue_promo_code("rud", "c", "RUD_SUMMER", idempotency_key="k3")
        assert info.value.code == "campaign_ended"
    finally:
        await wrong_key.close()
        await api.close()


async def test_down_and_failing_partner_is_unavailable(partners):
    api = client(partners, timeout_seconds=1.5)
    try:
        partners.set_faults(down=True)
        with pytest.raises(PartnerUnavailable):
            await api.issue_promo_code("twitch", "c-down", "TWITCH_TURBO", idempotency_key="kd")
        partners.set_faults(error_rate=1.0)
        calls = partners.stats()["calls"]
        with pytest.raises(PartnerUnavailable):
            await api.issue_promo_code("twitch", "c-err", "TWITCH_TURBO", idempotency_key="ke")
        assert partners.stats()["calls"] == calls  # failed before the handler: nothing issued
    finally:
        partners.clear_faults()
        await api.close()


async def test_slow_partner_gives_up_within_the_budget_and_never_issues_twice(partners):
    api = client(partners, timeout_seconds=1.0, connect_timeout_seconds=0.5)
    try:
        before = partners.stats()["codes_issued"]
        partners.set_faults(latency_ms=1600)
        started = time.monotonic()
        with pytest.raises(PartnerUnavailable):
            await api.issue_promo_code("cyber_arena", "c-slow", "ARENA2H",
                                       idempotency_key="k-slow")
        assert time.monotonic() - started < 2.0  # the time budget, retries included
        partners.clear_faults()
        time.sleep(1.0)  # the abandoned request may still complete at the partner
        code = await api.issue_promo_code("cyber_arena", "c-slow", "ARENA2H",
                                          idempotency_key="k-slow")
        again = await api.issue_promo_code("cyber_arena", "c-slow", "ARENA2H",
                                           idempotency_key="k-slow")
        assert code.code == again.code
        assert partners.stats()["codes_issued"] == before + 1
    finally:
        partners.clear_faults()
        await api.close()


def test_registered_in_the_registry():
    assert "partner_sandbox" in default_registry().names()
