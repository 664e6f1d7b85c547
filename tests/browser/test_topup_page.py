"""The bank's hosted top-up page in a real headless browser (Debian's chromium), driven through
the Chrome DevTools Protocol (the `websockets` package Rasa already installs; no selenium).

The customer's top-up link comes from `action_create_topup`; the browser types another bank's
card, passes the 3-D Secure step, and then we check that the ledger credited the money exactly
once and that the bank's signed webhook reached the action server, which asked Rasa (a
recording stand-in) to tell the customer. Install: `apt-get install -y chromium`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from decimal import Decimal

import httpx
import pytest
import websockets

from actions.topups.create import ActionCreateTopup
from scripts.services import free_port
from tests.actions.helpers import make_tracker, responses, run
from tests.fixtures.services import missing_service

TARAS = "+380671234567"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
    "--disable-dev-shm-usage",
]  # fmt: skip
WRAPPER_ENV = ("COREBANK_URL", "COREBANK_REALM", "COREBANK_CLIENT_ID", "COREBANK_CLIENT_SECRET",
               "COREBANK_SOAP_USER", "COREBANK_SOAP_PASSWORD")


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser"
    )


class Browser:
    """A headless chromium and one page, spoken to over the DevTools protocol."""

    def __init__(self, binary: str):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
             f"--remote-debugging-port={self.port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self.ids = itertools.count(1)
        self.ws = None

    async def connect(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("chromium exited at start")
            try:
                targets = httpx.get(f"http://127.0.0.1:{self.port}/json/list", timeout=2).json()
                page = next(t for t in targets if t.get("type") == "page")
                self.ws = await websockets.connect(page["webSocketDebuggerUrl"], max_size=None)
                return
            except (httpx.HTTPError, StopIteration, ValueError, OSError):
                await asyncio.sleep(0.2)
        raise RuntimeError("chromium's DevTools endpoint did not come up")

    async def send(self, method: str, **params):
        call_id = next(self.ids)
        await self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 20))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def js(self, expression: str):
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                                 awaitPromise=True)
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await self.js(expression)
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}: page is "
                             f"{await self.js('document.body && document.body.innerText')!r}")

    async def type_into(self, selector: str, text: str) -> None:
        """Focus the field and type like a person (DevTools Input.insertText)."""
        assert await self.js(f"!!document.querySelector({json.dumps(selector)})"), selector
        await self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        await self.send("Input.insertText", text=text)

    async def click(self, selector: str) -> None:
        await self.js(f"document.querySelector({json.dumps(selector)}).click()")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
async def browser():
    binary = chromium_path()
    if binary is None:
        missing_service(
            "no chromium on this machine: install it with `apt-get install -y chromium` "
            "(Debian; `make test` does when run as root) so the hosted top-up page is tested"
        )
    b = Browser(binary)
    try:
        await b.connect()
        yield b
    finally:
        await b.close()


async def test_topup_in_a_real_browser(webhook_stack, browser, monkeypatch):
    from bankclient import close_bank

    sandbox = webhook_stack.sandbox
    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, sandbox.env[name])
    with contextlib.suppress(RuntimeError):  # clients of an earlier test's (closed) loop
        await close_bank()
    sender = f"web-{uuid.uuid4().hex[:12]}"
    identity = f"rest:{sender}"
    sandbox.login(TARAS, identity)

    def balance() -> Decimal:
        with sandbox.client("accounts", identity) as client:
            return Decimal(client.get("/api/v1/me/accounts").json()[0]["balance"])

    before = balance()
    journals_before = sandbox.check_ledger()["journals"]
    tracker = make_tracker(sender, "", None, slots={"logged_in": True, "topup_amount": "150.00"})
    _, messages = await run(ActionCreateTopup(), tracker)
    await close_bank()
    assert responses(messages) == ["utter_topup_link"]
    url = messages[0]["payment_url"]

    await browser.send("Page.enable")
    await browser.send("Page.navigate", url=url)
    await browser.wait_for(
        "document.readyState === 'complete' && !!document.querySelector('#card_number')"
    )
    assert "150.00 UAH" in await browser.js("document.querySelector('#amount').innerText")
    await browser.type_into("#card_number", "4111 1111 1111 1111")
    await browser.type_into("#expiry", "12/30")
    await browser.type_into("#cvv", "123")
    await browser.click("#submit")

    # 3-D Secure step: the sandbox prints its code in the hint.
    await browser.wait_for("!!document.querySelector('#code')")
    assert await browser.js("document.querySelector('#payer_card').innerText") == "•••• 1111"
    code = await browser.wait_for(
        "document.querySelector('#code_hint strong') && "
        "document.querySelector('#code_hint strong').innerText"
    )
    await browser.type_into("#code", code)
    await browser.click("#submit")
    text = await browser.wait_for(
        "document.body.innerText.includes('Payment successful') && document.body.innerText"
    )
    assert "150.00 UAH" in text
    # Nothing typed on the page is echoed back.
    html = await browser.js("document.documentElement.outerHTML")
    assert "4111 1111 1111 1111" not in html and "4111111111111111" not in html

    calls = webhook_stack.rasa.wait_for(sender)
    assert [c["body"]["name"] for c in calls] == ["EXTERNAL_topup_succeeded"]
    assert calls[0]["body"]["entities"]["amount"] == "150.00"
    assert balance() == before + Decimal("150.00")
    # Reloading the finished page (or a second submit) never credits again.
    await browser.send("Page.reload")
    await browser.wait_for("document.body.innerText.includes('Already paid')")
    time.sleep(1.0)
    assert balance() == before + Decimal("150.00")
    assert len(webhook_stack.rasa.triggers(sender)) == 1
    check = sandbox.check_ledger()
    assert check["balanced"] is True
    assert check["journals"] == journals_before + 1  # exactly one posting for the top-up
