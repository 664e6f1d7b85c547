"""The bank's secure PIN / password page in a real headless browser (Debian's chromium, driven
over the DevTools protocol as in test_topup_page.py): the link comes from the chat's action,
weak inputs get clear errors on the page, the good value is set once, the chat is told by the
bank's signed webhook (through the real action server to a recording Rasa stand-in), and a
reused or expired link sets nothing."""

from __future__ import annotations

import asyncio
import random
import uuid

import pytest

from actions.card_management.password import ActionChangePassword
from actions.card_management.start import ActionCardManageStart
from bankclient import close_bank, get_bank, new_idempotency_key
from tests.actions.helpers import make_tracker, responses, run
from tests.actions.hosted_page import use_sandbox
from tests.actions.notifications.stack import start_webhook_stack

LINK_SECONDS = 4


@pytest.fixture(scope="module")
def short_link_stack(corebank_factory, tmp_path_factory):
    stack = start_webhook_stack(corebank_factory, tmp_path_factory.mktemp("secure-pages"),
                                {"SECURE_LINK_TTL_SECONDS": str(LINK_SECONDS)})
    try:
        yield stack
    finally:
        stack.service.stop()
        stack.rasa.server.shutdown()


async def _card_holder(stack, monkeypatch):
    await use_sandbox(stack.sandbox, monkeypatch)
    sender = f"sec-{uuid.uuid4().hex[:12]}"
    identity = f"rest:{sender}"
    stack.sandbox.login(f"+38067{random.randint(1_000_000, 9_999_999)}", identity)
    card = await get_bank().cards.issue(identity, "basic", "Page Tester",
                                        idempotency_key=new_idempotency_key())
    return sender, card


async def _pin_link(sender) -> str:
    tracker = make_tracker(sender, "forgot pin", "change_pin",
                           slots={"logged_in": True, "pending_intent": "change_pin"})
    _, messages = await run(ActionCardManageStart(), tracker)
    await close_bank()
    assert responses(messages) == ["utter_secure_link_pin"]
    return messages[0]["url"]


async def _open(browser, url: str, field: str) -> None:
    await browser.send("Page.enable")
    await browser.send("Page.navigate", url=url)
    await browser.wait_for(
        f"document.readyState === 'complete' && !!document.querySelector('#{field}')")


async def _submit(browser, field: str, value: str, confirm: str) -> str:
    await browser.js(f"document.querySelector('#{field}').value = ''; "
                     f"document.querySelector('#{field}_confirm').value = ''")
    await browser.type_into(f"#{field}", value)
    await browser.type_into(f"#{field}_confirm", confirm)
    await browser.js("window.__old = document.body; 1")
    await browser.click("#submit")
    return await browser.wait_for(
        "document.readyState === 'complete' && document.body !== window.__old && "
        "document.body.innerText")


async def test_set_pin_in_a_real_browser(short_link_stack, browser, monkeypatch):
    sender, card = await _card_holder(short_link_stack, monkeypatch)
    url = await _pin_link(sender)
    await _open(browser, url, "pin")
    assert card.masked in await browser.js("document.body.innerText")
    for pin, confirm, error in [("1234", "1234", "too easy to guess"),
                                ("0000", "0000", "too easy to guess"),
                                ("12a4", "12a4", "exactly 4 digits"),
                                ("4827", "4872", "do not match")]:
        text = await _submit(browser, "pin", pin, confirm)
        assert error in text, (pin, text)
    text = await _submit(browser, "pin", "4827", "4827")
    assert "has been set" in text
    html = await browser.js("document.documentElement.outerHTML")
    assert "4827" not in html
    calls = short_link_stack.rasa.wait_for(sender)
    assert [c["body"]["name"] for c in calls] == ["EXTERNAL_pin_changed"]
    entities = dict(calls[0]["body"]["entities"])
    # the bank event's id: the proactive message is stored and sent once under it (the outbox)
    assert entities.pop("delivery_key").startswith("evt_")
    assert entities == {"masked_card": card.masked}
    # The link is spent: reloading it (or posting again) sets nothing.
    await browser.send("Page.navigate", url=url)
    await browser.wait_for("document.body && document.body.innerText.includes('already used')")


async def test_set_password_in_a_real_browser(short_link_stack, browser, monkeypatch):
    sender, _ = await _card_holder(short_link_stack, monkeypatch)
    tracker = make_tracker(sender, "change my password", "change_password",
                           slots={"logged_in": True})
    _, messages = await run(ActionChangePassword(), tracker)
    await close_bank()
    url = messages[0]["url"]
    await _open(browser, url, "password")
    for password, confirm, error in [("short1A", "short1A", "10 to 128"),
                                     ("Password123", "Password123", "too common"),
                                     ("alllowercase1", "alllowercase1", "upper-case"),
                                     ("Tr1cky-Lantern-9", "Tr1cky-Lantern-8", "do not match")]:
        text = await _submit(browser, "password", password, confirm)
        assert error in text, (password, text)
    text = await _submit(browser, "password", "Tr1cky-Lantern-9", "Tr1cky-Lantern-9")
    assert "has been set" in text
    assert "Tr1cky" not in await browser.js("document.documentElement.outerHTML")
    calls = short_link_stack.rasa.wait_for(sender)
    assert [c["body"]["name"] for c in calls] == ["EXTERNAL_password_changed"]


async def test_expired_link_in_a_real_browser(short_link_stack, browser, monkeypatch):
    sender, _ = await _card_holder(short_link_stack, monkeypatch)
    url = await _pin_link(sender)
    await _open(browser, url, "pin")
    await asyncio.sleep(LINK_SECONDS + 1)
    text = await _submit(browser, "pin", "4827", "4827")
    assert "expired" in text
    await asyncio.sleep(1)
    assert short_link_stack.rasa.triggers(sender) == []
