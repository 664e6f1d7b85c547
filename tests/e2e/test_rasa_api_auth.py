"""Rasa's HTTP API (enabled for proactive messages and the tests) refuses callers without its
token (RASA_AUTH_TOKEN): reading a conversation, injecting an intent or parsing are all 401."""

from __future__ import annotations

import httpx
import pytest

CALLS = [
    ("GET", "/conversations/{sender}/tracker", None),
    ("POST", "/conversations/{sender}/trigger_intent", {"name": "greet"}),
    ("POST", "/conversations/{sender}/tracker/events", {"event": "slot", "name": "logged_in",
                                                         "value": True}),
    ("POST", "/model/parse", {"text": "hi"}),
    ("GET", "/status", None),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[c[1] for c in CALLS])
@pytest.mark.parametrize("token", [None, "wrong-token", ""], ids=["no-token", "wrong", "empty"])
def test_rasa_api_without_its_token_is_401(chat, rasa_server, method, path, body, token):
    sender = chat.new_sender("api")
    chat.send(sender, "hi")
    params = {} if token is None else {"token": token}
    answer = httpx.request(method, rasa_server.url + path.format(sender=sender), json=body,
                           params=params, timeout=30)  # fmt: skip
    assert answer.status_code == 401, answer.text
    # Nothing was changed: the conversation has no injected intent and is not logged in.
    tracker = httpx.get(f"{rasa_server.url}/conversations/{sender}/tracker",
                        params={"token": rasa_server.token}, timeout=30).json()  # fmt: skip
    assert tracker["slots"].get("logged_in") is not True
    assert [e["event"] for e in tracker["events"] if e["event"] == "user"] == ["user"]


def test_rasa_api_with_its_token_answers(rasa_server) -> None:
    answer = httpx.get(f"{rasa_server.url}/status", params={"token": rasa_server.token}, timeout=30)
    assert answer.status_code == 200
    assert answer.json()["model_file"]
