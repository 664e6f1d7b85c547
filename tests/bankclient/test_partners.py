"""The partner base client (external side) and its registry."""

from __future__ import annotations

import pytest

from bankclient import errors
from bankclient.partners import (
    PartnerClient,
    PartnerError,
    PartnerRegistry,
    PartnerSettings,
    PartnerUnavailable,
)


class Echo(PartnerClient):
    """A stand-in partner: the sandbox's health endpoint is a real HTTP API to talk to."""

    name = "echo"

    async def health(self) -> dict:
        return await self.request("GET", "/health")

    async def missing(self, key: str | None = "k-1") -> dict:
        return await self.request(
            "POST", "/no-such-partner-endpoint", json={}, idempotency_key=key, money_move=True
        )


async def test_partner_base_client_and_registry(corebank):
    registry = PartnerRegistry()
    registry.register("echo", lambda: Echo(PartnerSettings(base_url=corebank.base_url)))
    registry.register(
        "down", lambda: Echo(PartnerSettings(base_url="http://127.0.0.1:9", timeout_seconds=1))
    )
    try:
        echo = registry.get("echo")
        assert registry.get("echo") is echo and "echo" in registry
        assert (await echo.health())["status"] == "ok"
        with pytest.raises(PartnerError) as info:
            await echo.missing()
        assert info.value.status == 404 and info.value.details["partner"] == "echo"
        with pytest.raises(PartnerUnavailable):
            await registry.get("down").health()
        assert isinstance(PartnerUnavailable(), errors.BankUnavailable)
        with pytest.raises(KeyError):
            registry.get("nobody")
    finally:
        await registry.close()


async def test_a_partner_money_move_needs_a_key(corebank):
    echo = Echo(PartnerSettings(base_url=corebank.base_url))
    try:
        with pytest.raises(ValueError):
            await echo.missing(key=None)
    finally:
        await echo.close()


def test_partner_settings_from_env(monkeypatch):
    monkeypatch.setenv("GAME_ARENA_URL", "http://127.0.0.1:9100/")
    monkeypatch.setenv("GAME_ARENA_API_KEY", "k")
    monkeypatch.setenv("BANK_TIMEOUT_SECONDS", "2")
    s = PartnerSettings.from_env("GAME_ARENA")
    assert (s.base_url, s.api_key, s.timeout_seconds, s.connect_timeout_seconds) == (
        "http://127.0.0.1:9100", "k", 2.0, 1.0
    )
