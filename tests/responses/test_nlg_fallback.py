"""Rasa's side of the NLG (assistant/nlg.py), loaded the way Rasa loads it from endpoints.yml,
against the real responses service: replies from the service (live edits included), and when the
service is down the published catalog read locally, live edits included, never an empty reply."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.nlg import CatalogNLG
from responses_service.catalog import load_files
from tests.responses.staff import DESIGNER, REVIEWER, sign_in

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
NAME = "utter_goodbye"
EDITED = "See you soon! I'm right here when you need me."


def make_nlg(monkeypatch, service_url: str, token: str) -> CatalogNLG:
    for key, value in {"ACTION_SERVER_URL": "http://127.0.0.1:9", "ACTION_SERVER_TOKEN": "x",
                       "RESPONSES_URL": service_url, "RESPONSES_SERVICE_TOKEN": token}.items():
        monkeypatch.setenv(key, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    nlg = NaturalLanguageGenerator.create(endpoints.nlg, DOMAIN)
    assert isinstance(nlg, CatalogNLG)
    return nlg


def tracker(**slots) -> DialogueStateTracker:
    t = DialogueStateTracker("nlg-test", DOMAIN.slots)
    for name, value in slots.items():
        t.update(SlotSet(name, value))
    return t


async def test_replies_come_from_the_service_with_slots_conditions_and_channels(
        monkeypatch, service):
    nlg = make_nlg(monkeypatch, service["url"], service["token"])
    greet = await nlg.generate("utter_greet", tracker(logged_in=True, customer_first_name="Iryna"),
                               "rest")
    assert "Iryna" in greet["text"] and greet["buttons"][0]["payload"] == "/check_balance"
    ask = await nlg.generate("utter_ask_login_form_phone_number", tracker(), "telegram")
    assert ask["custom"]["request_contact"] is True
    # values an action passes fill the placeholders
    asked = await nlg.generate("utter_ask_bill_amount_debt", tracker(), "rest",
                               provider="Yasno", debt="120.00 UAH", period="November")
    assert asked["text"].startswith("Yasno: 120.00 UAH due for November")
    assert nlg._down_until == 0.0  # the service answered every time


async def test_service_down_the_local_published_catalog_answers_live_edits_included(
        monkeypatch, service):
    nlg = make_nlg(monkeypatch, service["url"], service["token"])
    designer = sign_in(service["url"], DESIGNER, service["password"])
    reviewer = sign_in(service["url"], REVIEWER, service["password"])
    original = designer.get(f"/api/responses/en/{NAME}").json()
    original_id = next(v["id"] for v in original["versions"] if v["status"] == "published")
    change = designer.post(f"/api/responses/en/{NAME}/changes",
                           json={"content": [{"text": EDITED}]})
    assert reviewer.post(f"/api/changes/{change.json()['id']}/approve").status_code == 200
    try:
        assert (await nlg.generate(NAME, tracker(), "rest"))["text"] == EDITED
        await wait_for(lambda: nlg.local.catalog["en"][NAME] == [{"text": EDITED}])

        service["process"].stop()
        started = time.monotonic()
        reply = await nlg.generate(NAME, tracker(), "rest")
        assert reply["text"] == EDITED  # the published catalog, read locally
        assert time.monotonic() - started < 1.0
        assert nlg._down_until > time.monotonic()  # left alone for a while: no timeout each time
        files_text = {v["text"] for v in load_files()["en"]["utter_help"]}
        assert (await nlg.generate("utter_help", tracker(), "rest"))["text"] in files_text
    finally:
        service["process"].start().wait_healthy()
        restore = designer.post(f"/api/responses/en/{NAME}/restore",
                                json={"version_id": original_id})
        assert reviewer.post(f"/api/changes/{restore.json()['id']}/approve").status_code == 200


async def test_without_a_service_url_rasa_shell_renders_from_the_files(monkeypatch):
    """`rasa shell` / `rasa interactive` with nothing else running: nothing to call, the catalog
    files answer (an unset RESPONSES_URL leaves `/nlg`)."""
    nlg = make_nlg(monkeypatch, "", "")
    assert nlg.url == ""
    reply = await nlg.generate(NAME, tracker(), "cmdline")
    assert reply["text"] in {v["text"] for v in load_files()["en"][NAME]}


async def test_a_service_that_hangs_costs_one_short_timeout(monkeypatch):
    """A port that accepts connections and never answers: the timeout (0.3 s), then the copy."""
    server = await asyncio.start_server(lambda r, w: asyncio.sleep(30), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        nlg = make_nlg(monkeypatch, f"http://127.0.0.1:{port}", "token")
        started = time.monotonic()
        reply = await nlg.generate(NAME, tracker(), "rest")
        assert reply["text"] and time.monotonic() - started < 1.0
        started = time.monotonic()
        assert (await nlg.generate(NAME, tracker(), "rest"))["text"]
        assert time.monotonic() - started < 0.1  # not asked again while it is paused
    finally:
        server.close()


async def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        await asyncio.sleep(0.05)
