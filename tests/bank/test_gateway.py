"""The process-wide gateway and the partner base client."""

from __future__ import annotations

import pytest

from actions.bank import close_bank, errors, get_bank
from actions.bank.external import (
    PartnerClient,
    PartnerError,
    PartnerRegistry,
    PartnerSettings,
    PartnerUnavailable,
)


@pytest.fixture
def bank_env(corebank, monkeypatch):
    monkeypatch.setenv("COREBANK_URL", corebank.base_url)
    monkeypatch.setenv("COREBANK_CLIENT_ID", corebank.client_id)
    monkeypatch.setenv("COREBANK_CLIENT_SECRET", corebank.client_secret)
    monkeypatch.setenv("COREBANK_SOAP_USER", corebank.soap_user)
    monkeypatch.setenv("COREBANK_SOAP_PASSWORD", corebank.soap_password)
    monkeypatch.setenv("BANK_TIMEOUT_SECONDS", "2")
    return corebank


async def test_get_bank_is_one_lazy_gateway_configured_from_env(bank_env):
    await close_bank()
    bank = get_bank()
    assert get_bank() is bank
    assert bank.settings.url == bank_env.base_url and bank.settings.timeout_seconds == 2.0
    assert bank.rest is bank.rest and bank.soap is bank.soap
    assert (await bank.rest.tariffs())["tariffs"]
    assert await bank.soap.list_providers("tv")
    assert bank.partners.names() == []
    await close_bank()
    assert get_bank() is not bank
    await close_bank()


class Echo(PartnerClient):
    """A stand-in partner: the sandbox's health endpoint is a real HTTP API to talk to."""

    name = "echo"

    async def health(self) -> dict:
        return await self.request("GET", "/health")

    async def missing(self) -> dict:
        return await self.request("POST", "/no-such-partner-endpoint", json={}, money_move=True)


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
