"""Wrapper settings, read from the environment (defaults match docs/architecture.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class BankSettings:
    url: str
    realm: str
    client_id: str
    client_secret: str
    soap_user: str
    soap_password: str
    # Total budget per wrapper call (all attempts included) so the customer gets an answer in 3 s.
    timeout_seconds: float
    connect_timeout_seconds: float
    scope: str | None

    @property
    def token_url(self) -> str:
        return f"{self.url}/realms/{self.realm}/protocol/openid-connect/token"

    @property
    def soap_url(self) -> str:
        return f"{self.url}/soap/legacy"

    @classmethod
    def from_env(cls) -> BankSettings:
        timeout = float(Decimal(_env("BANK_TIMEOUT_SECONDS", "2.5")))
        return cls(
            url=_env("COREBANK_URL", "http://127.0.0.1:8800").rstrip("/"),
            realm=_env("COREBANK_REALM", "bank"),
            client_id=_env("COREBANK_CLIENT_ID", "assistant"),
            client_secret=_env("COREBANK_CLIENT_SECRET", "dev-client-secret"),
            soap_user=_env("COREBANK_SOAP_USER", "assistant"),
            soap_password=_env("COREBANK_SOAP_PASSWORD", "dev-soap-password"),
            timeout_seconds=timeout,
            connect_timeout_seconds=min(1.0, timeout),
            scope=os.environ.get("COREBANK_SCOPE") or None,
        )
