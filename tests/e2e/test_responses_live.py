"""What the bank says, changed live and reviewed, on the running stack (sandbox, action server,
responses service, Rasa):
- in headless Chromium, a designer signs in through the sandbox's OIDC, changes a reply in the
  editor, a reviewer signs in and approves it, and the next message of a conversation that was
  already running shows the new text (no retrain, no restart); the old version is restored the
  same way;
- the responses service is stopped mid-conversation and the customer still gets the answer
  (Rasa's NLG falls back to the published catalog read locally), then it is started again.
"""

from __future__ import annotations

import json
import time

import httpx

from responses_service.catalog import load_files
from tests.browser.test_topup_page import browser  # noqa: F401 (the headless chromium fixture)

NAME = "utter_you_are_welcome"
NEW_TEXT = "Any time! What else can I do for you?"


def catalog_texts(name: str) -> set[str]:
    return {v["text"] for v in load_files()["en"][name]}


async def open_page(b, url: str, ready: str) -> None:
    await b.send("Page.enable")
    await b.send("Page.navigate", url=url)
    await b.wait_for(f"document.readyState === 'complete' && !!document.querySelector({ready!r})")


async def sign_in(b, service_url: str, username: str, password: str) -> None:
    """Through the editor's /auth/login to the sandbox's sign-in page and back to the editor."""
    await open_page(b, f"{service_url}/auth/login", "#username")
    await b.type_into("#username", username)
    await b.type_into("#password", password)
    await b.click("#sign-in")
    await b.wait_for("location.pathname === '/editor' && !!document.querySelector('#names a')")
    assert username in await b.js("document.querySelector('#who').textContent")


async def sign_out(b) -> None:
    await b.click("#logout")
    await b.wait_for("!!document.querySelector('#username')")


async def approve_pending(b, name: str) -> None:
    row = await b.wait_for(
        f"[...document.querySelectorAll('#pending tr')].find(r => r.textContent.includes("
        f"{name!r}))?.id")
    await b.click(f"#{row} button.approve")
    await b.wait_for("document.querySelector('#status-msg')?.textContent.includes('Approved')")


async def test_designer_changes_reviewer_approves_next_message_shows_it(
    chat, rasa_server, responses_server, corebank, browser  # noqa: F811
):
    password = corebank.env["SANDBOX_STAFF_PASSWORD"]
    url = responses_server.url
    sender = chat.new_sender("live-edit")
    assert set(chat.texts(sender, "/thank")) <= catalog_texts(NAME)

    # the designer changes the reply and sends it for review (preview first)
    await sign_in(browser, url, "dana", password)
    await browser.click(f"#r-{NAME}")
    await browser.wait_for(f"document.querySelector('#title').textContent === {NAME!r}")
    await browser.js(f"document.querySelector('#content').value = "
                     f"{json.dumps('- text: ' + json.dumps(NEW_TEXT))}")
    await browser.click("#preview")
    await browser.wait_for("!!document.querySelector('.preview-whatsapp')")
    shown = await browser.js("document.querySelector('.preview-telegram .bubble').textContent")
    assert shown == NEW_TEXT
    await browser.click("#propose")
    await browser.wait_for("document.querySelector('#status-msg')?.textContent"
                           ".includes('Sent for review')")
    # not live before a second person approves it; the author sees no approve button
    assert set(chat.texts(sender, "/thank")) <= catalog_texts(NAME)
    assert not await browser.js("!!document.querySelector('#pending button.approve')")
    await sign_out(browser)

    await sign_in(browser, url, "rita", password)
    await approve_pending(browser, NAME)
    assert chat.texts(sender, "/thank") == [NEW_TEXT]  # the running conversation's next message
    await sign_out(browser)

    # restore the version from the files: proposed by the designer, approved by the reviewer
    await sign_in(browser, url, "dana", password)
    await browser.click(f"#r-{NAME}")
    await browser.wait_for("!!document.querySelector('#history button.restore')")
    await browser.click("#history button.restore")
    await browser.wait_for("document.querySelector('#status-msg')?.textContent"
                           ".includes('Restore sent')")
    await sign_out(browser)
    await sign_in(browser, url, "rita", password)
    await approve_pending(browser, NAME)
    assert set(chat.texts(sender, "/thank")) <= catalog_texts(NAME)


def test_service_stopped_mid_conversation_the_customer_still_gets_the_answer(
    chat, rasa_server, responses_server
):
    sender = chat.new_sender("nlg-down")
    help_text = catalog_texts("utter_help")
    first = chat.send(sender, "/help")
    assert first and first[0]["text"] in help_text and len(first[0]["buttons"]) == 9
    responses_server.service.stop()
    try:
        assert not _healthy(responses_server.url)
        again = chat.send(sender, "/help")  # mid-conversation, the service down
        assert again and again[0]["text"] in help_text and len(again[0]["buttons"]) == 9
        assert set(chat.texts(sender, "/thank")) <= catalog_texts(NAME)
        assert "Responses service unavailable" in rasa_server.log_text()
    finally:
        responses_server.service.start().wait_healthy()
    # Rasa goes back to the service once its pause after the failure is over
    time.sleep(5.5)
    assert chat.send(sender, "/help")[0]["text"] in help_text


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
