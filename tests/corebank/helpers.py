"""Small helpers shared by the corebank tests."""

from __future__ import annotations

import uuid

import httpx

DEMO_ANNA = "+380501112233"
DEMO_TARAS = "+380671234567"
DEMO_OLENA = "+380931112233"
DEMO_IRYNA = "+380631234567"


def new_identity(channel: str = "telegram") -> str:
    return f"{channel}:{uuid.uuid4().hex[:12]}"


def new_key() -> str:
    return uuid.uuid4().hex


def error_code(resp: httpx.Response) -> str:
    return resp.json()["error"]["code"]


def ledger_transfer(bank, src: str, dst: str, amount, key: str | None = None,
                    currency: str = "UAH", headers: dict | None = None) -> httpx.Response:
    hdrs = headers or bank.headers("ledger")
    if key is not None:
        hdrs = {**hdrs, "Idempotency-Key": key}
    return bank.http.post("/api/v1/ledger/transfers", headers=hdrs, timeout=15,
                      json={"from_account": src, "to_account": dst, "amount": amount,
                            "currency": currency, "description": "test"})
