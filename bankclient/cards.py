"""Cards: the tariffs on offer, the customer's cards, issuing (basic digital card, Digital Tariff
Card), upgrade, plastic cards, card status, lock / unlock / block-and-reissue, and one-time links
to the bank's secure pages (card details, PIN, password).

A card is named by its card id or its vault token (`ctok_…`); both are accepted everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._model import Result
from .money import DEFAULT_CURRENCY
from .transport import Transport
from .transport.rest import API, seg

BASIC = "basic"
TARIFF = "tariff"
BLOCK_REASONS = ("lost", "stolen", "fraud")
SECURE_LINK_PURPOSES = ("card_details", "set_pin", "set_password")


# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class CashbackCategory(Result):
    category: str
    title: str
    percent: Decimal


@dataclass(frozen=True)
class Cashback(Result):
    min_percent: Decimal
    max_percent: Decimal
    categories: tuple[CashbackCategory, ...] = ()


@dataclass(frozen=True)
class Tariff(Result):
    code: str  # basic | tariff
    name: str
    currency: str = DEFAULT_CURRENCY
    monthly_fee: Decimal = Decimal("0.00")
    issue_fee: Decimal = Decimal("0.00")
    credit_limit: Decimal = Decimal("0.00")
    cashback: Cashback | None = None
    requirements: tuple[str, ...] = ()
    plastic: bool = False
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlasticTerms(Result):
    available_for: tuple[str, ...] = ()
    price: Decimal = Decimal("0.00")
    currency: str = DEFAULT_CURRENCY
    delivery_business_days: int | None = None
    delivery: str | None = None


@dataclass(frozen=True)
class TransferTerms(Result):
    own_bank_fee: Decimal | None = None
    other_bank_fee: str | None = None  # a rule in words: "1%, min 5.00 UAH"
    per_transfer_limit: Decimal | None = None
    daily_limit: Decimal | None = None


@dataclass(frozen=True)
class Tariffs(Result):
    tariffs: tuple[Tariff, ...]
    plastic_delivery: PlasticTerms | None = None
    transfers: TransferTerms | None = None

    def get(self, code: str) -> Tariff | None:
        return next((t for t in self.tariffs if t.code == code), None)


@dataclass(frozen=True)
class Card(Result):
    """One of the customer's cards. Listing gives `status_reason`; issuing and upgrading also
    give the tariff's name, the account's balance, credit limit and cashback."""

    card_id: str
    card_token: str
    masked: str  # "•••• 1234"
    tariff: str  # basic | tariff
    status: str  # active | frozen | blocked
    last4: str | None = None
    holder_name: str | None = None
    expiry: str | None = None  # MM/YY
    account_id: str | None = None
    status_reason: str | None = None  # temporary | lost | stolen
    tariff_name: str | None = None
    currency: str | None = None
    balance: Decimal | None = None
    credit_limit: Decimal | None = None
    cashback: Cashback | None = None
    replaced_by: str | None = None  # a blocked card's replacement (card id)

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class CardStatus(Result):
    card_id: str
    status: str  # active | frozen (locked by its owner) | blocked (permanently)
    card_token: str | None = None
    status_reason: str | None = None  # temporary | lost | stolen
    masked: str | None = None
    tariff: str | None = None
    expiry: str | None = None

    @property
    def frozen(self) -> bool:
        return self.status == "frozen"

    @property
    def blocked(self) -> bool:
        return self.status == "blocked"


@dataclass(frozen=True)
class ReplacementCard(Result):
    card_id: str
    card_token: str | None = None
    masked: str | None = None
    expiry: str | None = None


@dataclass(frozen=True)
class BlockedCard(CardStatus):
    """A permanently blocked card and, when reissued, its replacement."""

    replacement: ReplacementCard | None = None


@dataclass(frozen=True)
class DeliveryAddress(Result):
    street: str
    city: str
    postal_code: str | None = None  # 5 digits

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"street": self.street, "city": self.city}
        if self.postal_code is not None:
            body["postal_code"] = self.postal_code
        return body


@dataclass(frozen=True)
class PlasticOrder(Result):
    order_id: str
    card_id: str
    status: str  # ordered | shipped | delivered
    estimated_delivery: str  # ISO date
    masked: str | None = None
    address: DeliveryAddress | None = None
    price: Decimal = Decimal("0.00")
    currency: str = DEFAULT_CURRENCY
    created_at: str | None = None


@dataclass(frozen=True)
class SecureLink(Result):
    """A one-time, short-lived link to the bank's secure page (never typed into the chat)."""

    url: str
    expires_in: int
    purpose: str | None = None
    link_id: str | None = None
    card_id: str | None = None


# ---------------------------------------------------------------------- capability


class Cards:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def tariffs(self) -> Tariffs:
        """The cards on offer, their conditions and cashback (no customer needed)."""
        return Tariffs.from_json(await self._t.rest.request("GET", f"{API}/tariffs"))

    async def owned(self, identity: str) -> tuple[Card, ...]:
        """The customer's cards, blocked ones included, oldest first."""
        return Card.many(await self._t.rest.request("GET", f"{API}/me/cards", identity=identity))

    async def issue(
        self, identity: str, tier: str, holder_name: str, *, idempotency_key: str
    ) -> Card:
        """tier "basic" | "tariff" (KycRequired until verified). Keyed: a repeated key gives the
        first card back, never a second card."""
        data = await self._t.rest.request(
            "POST",
            f"{API}/me/cards",
            json={"tier": tier, "holder_name": holder_name},
            identity=identity,
            idempotency_key=idempotency_key,
        )
        return Card.from_json(data)

    async def upgrade(self, identity: str, card_id: str) -> Card:
        """A basic card becomes the Digital Tariff Card (same number); repeating is harmless."""
        data = await self._t.rest.request(
            "POST", f"{API}/me/cards/{seg(card_id)}/upgrade", json={}, identity=identity
        )
        return Card.from_json(data)

    async def order_plastic(
        self, identity: str, card_id: str, address: DeliveryAddress
    ) -> PlasticOrder:
        """TariffRequired for a basic card; a repeat gives the open order back."""
        data = await self._t.rest.request(
            "POST",
            f"{API}/me/cards/{seg(card_id)}/plastic",
            json={"address": address.to_api()},
            identity=identity,
        )
        return PlasticOrder.from_json(data)

    async def plastic_orders(self, identity: str) -> tuple[PlasticOrder, ...]:
        data = await self._t.rest.request("GET", f"{API}/me/plastic-orders", identity=identity)
        return PlasticOrder.many(data)

    async def secure_link(
        self, identity: str, purpose: str, card_id: str | None = None
    ) -> SecureLink:
        """purpose "card_details" | "set_pin" | "set_password" (the last needs no card)."""
        body: dict[str, Any] = {"purpose": purpose}
        if card_id is not None:
            body["card_id"] = card_id
        data = await self._t.rest.request(
            "POST", f"{API}/me/secure-links", json=body, identity=identity
        )
        return SecureLink.from_json(data)

    # -------------------------------------------------------------- status (legacy system)

    async def status(self, identity: str, card_id: str) -> CardStatus:
        data = await self._t.soap.call("GetCardStatus", {"Identity": identity, "CardId": card_id})
        return CardStatus.from_json(data)

    async def lock(self, identity: str, card_id: str) -> CardStatus:
        """Temporary lock (status "frozen"; the owner can unlock). Repeating is harmless."""
        data = await self._t.soap.call("LockCard", {"Identity": identity, "CardId": card_id})
        return CardStatus.from_json(data)

    async def unlock(self, identity: str, card_id: str) -> CardStatus:
        """CardBlocked for a permanently blocked card."""
        data = await self._t.soap.call("UnlockCard", {"Identity": identity, "CardId": card_id})
        return CardStatus.from_json(data)

    async def block(
        self, identity: str, card_id: str, reason: str, *, reissue: bool = True
    ) -> BlockedCard:
        """Permanent block (reason "lost" | "stolen" | "fraud"), with a replacement card when
        `reissue`.
        Repeating gives the first answer (no second replacement)."""
        data = await self._t.soap.call(
            "BlockCard",
            {"Identity": identity, "CardId": card_id, "Reason": reason, "Reissue": bool(reissue)},
        )
        return _blocked_card(data)

    async def reissue(self, identity: str, card_id: str) -> BlockedCard:
        """A replacement (new digital card, same account) for a blocked card; InvalidRequest for
        a card that is not blocked. Repeating gives the same replacement, never a second one."""
        data = await self._t.soap.call("ReissueCard", {"Identity": identity, "CardId": card_id})
        return _blocked_card(data)


def _blocked_card(data: dict[str, Any]) -> BlockedCard:
    replacement = None
    if data.get("new_card_id"):
        replacement = {
            "card_id": data["new_card_id"],
            "card_token": data.get("new_card_token"),
            "masked": data.get("new_card_masked"),
            "expiry": data.get("new_card_expiry"),
        }
    return BlockedCard.from_json({**data, "replacement": replacement})
