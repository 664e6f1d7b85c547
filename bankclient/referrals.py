"""Referral programmes and partner offers (internal side: the bank's own records).

    ref = await bank.referrals.mine(identity)                   # → ReferralInfo (code, results)
    out = await bank.referrals.attribute(identity, code, "link")  # → Attribution (status)
    w = await bank.referrals.welcome(identity)                  # → Welcome | None
    offers = await bank.offers.catalog()                        # → tuple[Offer, ...]
    st = await bank.offers.status(identity, offer_id)           # → OfferStatus
    p = await bank.offers.record_promo_code(identity, offer_id, code, ref)  # → IssuedCode

The promo code itself comes from the partner's own API (`bank.partners`, external side);
the bank remembers it once per customer and offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._model import Result
from .transport import Transport
from .transport.rest import API, seg


@dataclass(frozen=True)
class ReferralInfo(Result):
    code: str
    expires_at: str | None = None
    invited: int = 0
    joined: int = 0
    pending: int = 0
    rewarded: int = 0
    capped: int = 0
    earned: Decimal = Decimal("0.00")
    earned_this_month: Decimal = Decimal("0.00")
    currency: str = "UAH"
    reward: Decimal = Decimal("0.00")
    monthly_cap: Decimal = Decimal("0.00")
    welcome_bonus: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class WelcomeTerms(Result):
    kind: str
    currency: str = "UAH"
    amount: Decimal | None = None
    boost_percent: str | None = None
    partner_name: str | None = None
    days: int | None = None


@dataclass(frozen=True)
class Attribution(Result):
    """`status`: attributed | already | already_invited | own_code | not_new | unknown_code |
    expired_code."""

    status: str
    kind: str | None = None
    inviter_name: str | None = None
    campaign: str | None = None
    welcome: WelcomeTerms | None = None


@dataclass(frozen=True)
class Welcome(Result):
    kind: str  # bonus | boosted_cashback
    source: str | None = None  # referral | campaign
    inviter_name: str | None = None
    amount: Decimal | None = None
    currency: str = "UAH"
    partner_id: str | None = None
    partner_name: str | None = None
    boost_percent: str | None = None
    valid_until: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Offer(Result):
    offer_id: str
    partner_id: str
    partner_name: str
    category: str
    kind: str  # cashback | promo_code
    title: str
    details: str
    eligibility: str
    active: bool
    aliases: tuple[str, ...] = ()
    campaign: str | None = None  # promo-code offers: the partner API's campaign
    percent: str | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssuedCode(Result):
    code: str
    partner_ref: str | None = None
    issued_at: str | None = None


@dataclass(frozen=True)
class OfferStatus(Result):
    offer_id: str
    partner_id: str
    partner_name: str
    kind: str
    title: str
    details: str
    eligible: bool
    customer_ref: str  # pseudonymous, per partner: what the partner's API is told
    campaign: str | None = None
    reason: str | None = None  # ended | not_started | card_required | tariff_required
    percent: str | None = None
    ends_at: str | None = None
    promo_code: IssuedCode | None = None


@dataclass(frozen=True)
class CashbackTotal(Result):
    total: Decimal
    credits: int
    currency: str = "UAH"


class Referrals:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def mine(self, identity: str) -> ReferralInfo:
        """The customer's invitation code (a fresh one when none is live) and results."""
        data = await self._t.rest.request("GET", f"{API}/me/referral", identity=identity)
        return ReferralInfo.from_json(data)

    async def attribute(self, identity: str, code: str, source: str) -> Attribution:
        """Attribute this chat (and its customer, when logged in) to a code's owner or campaign.
        Repeating it is harmless (the outcome is then `already`), so it may be retried."""
        data = await self._t.rest.request(
            "POST", f"{API}/referrals/attributions", identity=identity,
            json={"code": code, "source": source}, idempotent=True,
        )
        return Attribution.from_json(data)

    async def welcome(self, identity: str) -> Welcome | None:
        data = await self._t.rest.request("GET", f"{API}/me/welcome", identity=identity)
        welcome = (data or {}).get("welcome")
        return Welcome.from_json(welcome) if welcome else None


class Offers:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def catalog(self, partner_id: str | None = None) -> tuple[Offer, ...]:
        params = {"partner_id": partner_id} if partner_id else None
        data = await self._t.rest.request("GET", f"{API}/partners/offers", params=params)
        return Offer.many(data)

    async def status(self, identity: str, offer_id: str) -> OfferStatus:
        data = await self._t.rest.request(
            "GET", f"{API}/me/partner-offers/{seg(offer_id)}", identity=identity
        )
        return OfferStatus.from_json(data)

    async def record_promo_code(
        self, identity: str, offer_id: str, code: str, partner_ref: str | None
    ) -> IssuedCode:
        """Remember the partner's code (the first one wins; a repeat returns it)."""
        data = await self._t.rest.request(
            "POST", f"{API}/me/partner-offers/{seg(offer_id)}/promo-code", identity=identity,
            json={"code": code, "partner_ref": partner_ref}, idempotent=True,
        )
        return IssuedCode.from_json(data)

    async def cashback(self, identity: str) -> CashbackTotal:
        data = await self._t.rest.request("GET", f"{API}/me/cashback", identity=identity)
        return CashbackTotal.from_json(data)
