"""A customer paying on the bank's hosted page (top-ups, payment requests) in the webhook stack's
sandbox: the actions run in-process, the payer uses the page over HTTP."""

from __future__ import annotations

import contextlib
import re
import uuid
from decimal import Decimal

import httpx

from tests.actions.helpers import WRAPPER_ENV, make_tracker, run, slot_events

TARAS = "+380671234567"
NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')
CODE_RE = re.compile(r'id="code_hint">.*?<strong>(\d+)</strong>', re.S)


async def use_sandbox(sandbox, monkeypatch):
    from bankclient import close_bank

    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, sandbox.env[name])
    with contextlib.suppress(RuntimeError):  # clients of an earlier test's (closed) loop
        await close_bank()


class Customer:
    def __init__(self, sandbox, phone: str = TARAS):
        self.sandbox = sandbox
        self.sender = f"top-{uuid.uuid4().hex[:12]}"
        self.identity = f"rest:{self.sender}"
        sandbox.login(phone, self.identity)

    def balance(self) -> Decimal:
        with self.sandbox.client("accounts", self.identity) as client:
            accounts = client.get("/api/v1/me/accounts").json()
        return next(Decimal(a["balance"]) for a in accounts if a["currency"] == "UAH")

    async def form(self, action, text: str, intent: str, amount: str | None, loop: str) -> dict:
        tracker = make_tracker(self.sender, text, intent, slots={"logged_in": True})
        if amount:
            tracker.latest_message["entities"] = [{"entity": "amount", "value": amount}]
        events, messages = await run(action, tracker)
        assert messages == [], messages
        return slot_events(events)

    async def create(self, action, slots: dict) -> list[dict]:
        tracker = make_tracker(self.sender, "", None, slots={"logged_in": True, **slots})
        _, messages = await run(action, tracker)
        return messages


def pay(url: str, code: str | None = None, card: str = "4111 1111 1111 1111") -> httpx.Response:
    """What the payer does on the hosted page: card form, then the 3-D Secure code."""
    with httpx.Client(timeout=15) as client:
        page = client.get(url)
        assert page.status_code == 200, page.text[:200]
        page = client.post(url, data={"nonce": NONCE_RE.search(page.text).group(1),
                                      "card_number": card, "expiry": "12/30", "cvv": "123"})
        assert page.status_code == 200 and 'id="code"' in page.text, page.text[:300]
        hint = CODE_RE.search(page.text).group(1)
        return client.post(url, data={"nonce": NONCE_RE.search(page.text).group(1),
                                      "code": code or hint})  # fmt: skip
