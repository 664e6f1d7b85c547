"""The only door to the bank's systems.

    from actions.bank import get_bank, BankError, user_message
    bank = get_bank()
    accounts = await bank.rest.accounts(identity)          # REST/JSON, OAuth2
    status = await bank.soap.get_card_status(card_id)      # legacy SOAP/XML, login/password
    client = bank.partners.get("game_arena")               # partners' systems

Clients are created lazily, once per process (pooled connections), and recreated if the event
loop changes (tests). `await close_bank()` closes them.
"""

from __future__ import annotations

import asyncio

from .config import BankSettings
from .errors import (
    ERROR_CODES,
    AlreadyHasCard,
    BankError,
    BankUnavailable,
    CardBlocked,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidCard,
    InvalidRequest,
    InvalidResponse,
    KycRejected,
    KycRequired,
    LimitExceeded,
    LoginRequired,
    NotFound,
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    OtpRequired,
    OwnCard,
    SessionExpired,
    TariffRequired,
    Unauthorized,
    error_from_code,
    user_message,
)
from .external.base import PartnerRegistry, default_registry
from .internal.rest import CoreBankRest, new_idempotency_key
from .internal.soap import LegacySoap


class Bank:
    """Holds one client per backend; each is created on first use."""

    def __init__(self, settings: BankSettings | None = None) -> None:
        self.settings = settings or BankSettings.from_env()
        self._rest: CoreBankRest | None = None
        self._soap: LegacySoap | None = None
        self._partners: PartnerRegistry | None = None

    @property
    def rest(self) -> CoreBankRest:
        if self._rest is None:
            self._rest = CoreBankRest(self.settings)
        return self._rest

    @property
    def soap(self) -> LegacySoap:
        if self._soap is None:
            self._soap = LegacySoap(self.settings)
        return self._soap

    @property
    def partners(self) -> PartnerRegistry:
        if self._partners is None:
            self._partners = default_registry()
        return self._partners

    async def close(self) -> None:
        rest, soap, partners = self._rest, self._soap, self._partners
        self._rest = self._soap = self._partners = None
        for client in (rest, soap, partners):
            if client is not None:
                await client.close()


_bank: Bank | None = None
_bank_loop: asyncio.AbstractEventLoop | None = None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def get_bank() -> Bank:
    """The process-wide gateway (settings from the environment at first use)."""
    global _bank, _bank_loop
    loop = _running_loop()
    if _bank is None or (loop is not None and _bank_loop is not None and loop is not _bank_loop):
        # Pooled connections belong to one event loop; a new loop (tests) gets new clients.
        _bank = Bank()
        _bank_loop = loop
    elif _bank_loop is None:
        _bank_loop = loop
    return _bank


async def close_bank() -> None:
    """Close the gateway's clients (tests, shutdown); the next get_bank() starts afresh."""
    global _bank, _bank_loop
    bank, _bank, _bank_loop = _bank, None, None
    if bank is not None:
        await bank.close()


__all__ = [
    "ERROR_CODES",
    "AlreadyHasCard",
    "Bank",
    "BankError",
    "BankSettings",
    "BankUnavailable",
    "CardBlocked",
    "CoreBankRest",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidCard",
    "InvalidRequest",
    "InvalidResponse",
    "KycRejected",
    "KycRequired",
    "LegacySoap",
    "LimitExceeded",
    "LoginRequired",
    "NotFound",
    "OtpExpired",
    "OtpInvalid",
    "OtpLocked",
    "OtpRequired",
    "OwnCard",
    "SessionExpired",
    "TariffRequired",
    "Unauthorized",
    "close_bank",
    "error_from_code",
    "get_bank",
    "new_idempotency_key",
    "user_message",
]
