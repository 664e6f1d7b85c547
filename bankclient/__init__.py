"""The bank client: the only door to the bank's systems, for the action server and the Rasa
process alike (it imports nothing from either).

    from bankclient import get_bank, BankError, user_message, idempotency_key
    bank = get_bank()
    token = await bank.vault.tokenize_card(pan)                 # → CardToken
    balances = await bank.accounts.balances(identity)            # → tuple[Account, ...]
    card = await bank.cards.lock(identity, card_id)              # → CardStatus
    done = await bank.transfers.execute(identity, quote_id, idempotency_key=key)

Organised by capability (`customers`, `accounts`, `cards`, `transfers`, `payments`, `bills`,
`vault`, `partners`); every method returns a frozen dataclass (money as Decimal) or raises a typed
`BankError`, and none says whether the core bank's REST API or its legacy SOAP API serves it.
Money moves require an `idempotency_key` (see `bankclient.idempotency`).

Clients are created lazily, once per process (pooled connections), and recreated if the event
loop changes (tests). `await close_bank()` closes them.
"""

from __future__ import annotations

import asyncio

from .accounts import Account, Accounts, BankDetails, Transaction
from .bills import BillPayment, BillQuote, Bills, BillTemplate, Debt, Provider, ProviderField
from .cards import (
    BlockedCard,
    Card,
    Cards,
    CardStatus,
    Cashback,
    CashbackCategory,
    DeliveryAddress,
    PlasticOrder,
    ReplacementCard,
    SecureLink,
    Tariff,
    Tariffs,
)
from .config import BankSettings
from .customers import (
    Customers,
    KycApplication,
    KycResult,
    LoginResult,
    OtpChallenge,
    Profile,
    Session,
    StepUpToken,
)
from .errors import (
    ERROR_CODES,
    AlreadyHasCard,
    BankError,
    BankUnavailable,
    CardBlocked,
    CardFrozen,
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
from .idempotency import idempotency_key, new_idempotency_key
from .partners import (
    PartnerClient,
    PartnerError,
    PartnerRegistry,
    PartnerSandbox,
    PartnerSettings,
    PartnerUnavailable,
    PromoCode,
    default_registry,
    register_partner,
)
from .payments import PaymentRequest, Payments, Topup
from .referrals import (
    Attribution,
    IssuedCode,
    Offer,
    Offers,
    OfferStatus,
    ReferralInfo,
    Referrals,
    Welcome,
)
from .transfers import Transfer, TransferQuote, Transfers
from .transport import Transport
from .vault import CardToken, SecretRef, Vault


class Bank:
    """One object per process: `bank.customers`, `bank.accounts`, `bank.cards`,
    `bank.transfers`, `bank.payments`, `bank.bills`, `bank.vault`, `bank.partners`. Capabilities
    are light; each backend client (connection pool) is created on first use."""

    def __init__(self, settings: BankSettings | None = None) -> None:
        self.settings = settings or BankSettings.from_env()
        # Low-level clients: for observability (attempt counters) and tests, not for callers.
        self.transport = Transport(self.settings)
        self.customers = Customers(self.transport)
        self.accounts = Accounts(self.transport)
        self.cards = Cards(self.transport)
        self.transfers = Transfers(self.transport)
        self.payments = Payments(self.transport)
        self.bills = Bills(self.transport)
        self.vault = Vault(self.transport)
        self.referrals = Referrals(self.transport)
        self.offers = Offers(self.transport)
        self._partners: PartnerRegistry | None = None

    @property
    def partners(self) -> PartnerRegistry:
        """Partners' systems by name (external side)."""
        if self._partners is None:
            self._partners = default_registry()
        return self._partners

    async def close(self) -> None:
        partners, self._partners = self._partners, None
        await self.transport.close()
        if partners is not None:
            await partners.close()


_bank: Bank | None = None
_bank_loop: asyncio.AbstractEventLoop | None = None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def get_bank() -> Bank:
    """The process-wide client (settings from the environment at first use)."""
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
    """Close the client's connections (tests, shutdown); the next get_bank() starts afresh."""
    global _bank, _bank_loop
    bank, _bank, _bank_loop = _bank, None, None
    if bank is not None:
        await bank.close()


__all__ = [
    "ERROR_CODES",
    "Account",
    "Attribution",
    "IssuedCode",
    "Offer",
    "OfferStatus",
    "Offers",
    "PartnerSandbox",
    "PromoCode",
    "ReferralInfo",
    "Referrals",
    "Welcome",
    "Accounts",
    "AlreadyHasCard",
    "Bank",
    "BankDetails",
    "BankError",
    "BankSettings",
    "BankUnavailable",
    "BillPayment",
    "BillQuote",
    "BillTemplate",
    "Bills",
    "BlockedCard",
    "Card",
    "CardBlocked",
    "CardFrozen",
    "CardStatus",
    "CardToken",
    "Cards",
    "Cashback",
    "CashbackCategory",
    "Customers",
    "Debt",
    "DeliveryAddress",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidCard",
    "InvalidRequest",
    "InvalidResponse",
    "KycApplication",
    "KycRejected",
    "KycRequired",
    "KycResult",
    "LimitExceeded",
    "LoginRequired",
    "LoginResult",
    "NotFound",
    "OtpChallenge",
    "OtpExpired",
    "OtpInvalid",
    "OtpLocked",
    "OtpRequired",
    "OwnCard",
    "PartnerClient",
    "PartnerError",
    "PartnerRegistry",
    "PartnerSettings",
    "PartnerUnavailable",
    "PaymentRequest",
    "Payments",
    "PlasticOrder",
    "Profile",
    "Provider",
    "ProviderField",
    "ReplacementCard",
    "SecretRef",
    "SecureLink",
    "Session",
    "SessionExpired",
    "StepUpToken",
    "Tariff",
    "Tariffs",
    "TariffRequired",
    "Topup",
    "Transaction",
    "Transfer",
    "TransferQuote",
    "Transfers",
    "Unauthorized",
    "Vault",
    "close_bank",
    "error_from_code",
    "get_bank",
    "idempotency_key",
    "new_idempotency_key",
    "register_partner",
    "user_message",
]
