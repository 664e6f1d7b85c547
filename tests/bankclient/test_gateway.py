"""The process-wide client: one lazy `Bank` per process and event loop, configured from env."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from bankclient import Bank, close_bank, get_bank


def _env(monkeypatch, corebank):
    monkeypatch.setenv("COREBANK_URL", corebank.base_url)
    monkeypatch.setenv("COREBANK_CLIENT_ID", corebank.client_id)
    monkeypatch.setenv("COREBANK_CLIENT_SECRET", corebank.client_secret)
    monkeypatch.setenv("COREBANK_SOAP_USER", corebank.soap_user)
    monkeypatch.setenv("COREBANK_SOAP_PASSWORD", corebank.soap_password)
    monkeypatch.setenv("BANK_TIMEOUT_SECONDS", "2")


async def test_get_bank_is_one_lazy_gateway_configured_from_env(corebank, monkeypatch):
    _env(monkeypatch, corebank)
    await close_bank()
    bank = get_bank()
    assert get_bank() is bank
    assert bank.settings.url == corebank.base_url and bank.settings.timeout_seconds == 2.0
    assert bank.cards is bank.cards and bank.transport.rest is bank.transport.rest
    assert (await bank.cards.tariffs()).tariffs
    assert await bank.bills.providers("tv")
    assert bank.partners.names() == ["partner_sandbox"]  # bankclient/partners.py
    await close_bank()
    assert get_bank() is not bank
    await close_bank()


def test_a_new_event_loop_gets_new_clients(corebank, monkeypatch):
    _env(monkeypatch, corebank)

    async def use() -> Bank:
        bank = get_bank()
        assert get_bank() is bank
        await bank.vault.tokenize_card("4111111111111111")
        await bank.transport.close()  # its pool dies with this loop; the Bank stays current
        return bank

    asyncio.run(close_bank())
    first = asyncio.run(use())
    second = asyncio.run(use())  # the first loop's pooled connections are unusable here
    assert first is not second
    asyncio.run(close_bank())


def test_importing_the_client_pulls_in_neither_process():
    """The Rasa process and the action server both import it; it imports neither."""
    code = (
        "import sys, bankclient\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('actions', 'assistant', 'rasa',"
        " 'rasa_sdk', 'corebank')]\n"
        "print(bad)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
