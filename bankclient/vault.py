"""The bank's vault: card numbers and secrets swapped for references (formats in `refs`).

    token = await get_bank().vault.tokenize_card("4111 1111 1111 1111")
    token.card_token   # "ctok_…"      token.masked  # "•••• 1111"
    ref = await get_bank().vault.store_secret("otp", "123456")
    ref.secret_ref     # "otok_…"      ref.expires_in  # seconds
"""

from __future__ import annotations

from dataclasses import dataclass

from ._model import Result
from .transport import Transport
from .transport.rest import API, seg

SECRET_KINDS = ("otp", "passport", "other")


@dataclass(frozen=True)
class CardToken(Result):
    """A card as the vault knows it; never the card number itself."""

    card_token: str  # ctok_…
    masked: str  # "•••• 1234"
    last4: str = ""
    network: str | None = None  # visa | mastercard | …
    issuer: str | None = None  # "own" (this bank) | "other"
    bank_name: str | None = None

    @property
    def own_bank(self) -> bool:
        return self.issuer == "own"


@dataclass(frozen=True)
class SecretRef(Result):
    """A short-lived reference to a secret (OTP, passport number, …) held by the vault."""

    secret_ref: str  # otok_… | ptok_… | stok_…
    expires_in: int  # seconds


class Vault:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def tokenize_card(self, pan: str) -> CardToken:
        """Card number → its token. The same number always gives the same token, so the call is
        safe to repeat (and is retried once if the bank fails)."""
        data = await self._t.rest.request(
            "POST", f"{API}/vault/cards", json={"pan": pan}, idempotent=True
        )
        return CardToken.from_json(data)

    async def card_lookup(self, card_token: str) -> CardToken:
        """Card token → what tokenize_card gave (NotFound for an unknown token)."""
        data = await self._t.rest.request("GET", f"{API}/vault/cards/{seg(card_token)}")
        return CardToken.from_json(data)

    async def store_secret(self, kind: str, value: str) -> SecretRef:
        """kind "otp" | "passport" | "other" → a reference that expires after `expires_in` s."""
        data = await self._t.rest.request(
            "POST", f"{API}/vault/secrets", json={"kind": kind, "value": value}
        )
        return SecretRef.from_json(data)
