"""The channels as a client sees them: bad input gets a clear answer and changes nothing;
socket.io gets the same protection as REST, and so does any path that reaches the REST channel."""

from __future__ import annotations

import queue
import time

import httpx
import pytest
import socketio

from bankclient.refs import CARD_PREFIX
from tests.e2e.helpers import tracker


def _user_events_when_processed(rasa_server, sender: str, timeout: float = 30) -> list[dict]:
    """The user events once Rasa has finished the turn (socket.io answers arrive before the
    turn is saved)."""
    deadline = time.monotonic() + timeout
    while True:
        events = tracker(rasa_server, sender)["events"]
        done = events and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
        users = [e for e in events if e["event"] == "user"]
        if (users and done) or time.monotonic() > deadline:
            return users
        time.sleep(0.2)


def _post(rasa_server, **kwargs) -> httpx.Response:
    return httpx.post(f"{rasa_server.url}/webhooks/rest/webhook", timeout=30, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"json": ["a", "list"]},
        {"json": {"sender": "x1", "message": 12}},
        {"json": {"sender": "x1", "message": {"image": "https://example.org/a.png"}}},
        {"json": {"sender": "x1"}},
        {"json": {"message": "hello"}},
        {"json": {"sender": "x1", "message": "\x00\x01 \t"}},
        {"json": {"sender": "x1", "message": "hi", "metadata": [1, 2]}},
    ],
    ids=["malformed", "not-object", "number", "non-text", "no-message", "no-sender", "empty",
         "bad-metadata"],
)  # fmt: skip
def test_bad_requests_get_a_clear_400(rasa_server, kwargs) -> None:
    answer = _post(rasa_server, **kwargs)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_request" and error["message"]


def test_over_long_message_is_answered_and_not_stored(chat, rasa_server) -> None:
    sender = chat.new_sender("long")
    [reply] = chat.send(sender, "blah " * 1000)
    assert "too long" in reply["text"]
    events = tracker(rasa_server, sender)["events"]  # (reading it starts a session)
    assert [e for e in events if e["event"] == "user"] == []  # Rasa never saw the message


def test_control_characters_are_stripped(chat, rasa_server) -> None:
    sender = chat.new_sender("ctrl")
    assert chat.send(sender, "he\x00llo\x1b\u202e")
    user = [e for e in tracker(rasa_server, sender)["events"] if e["event"] == "user"]
    assert user[-1]["text"] == "hello"


def test_channel_name_and_metadata_are_accepted(rasa_server) -> None:
    sender = "tg-12345"
    answer = _post(
        rasa_server,
        json={
            "sender": sender,
            "message": "hi",
            "input_channel": "telegram",
            "metadata": {"note": "card 4111 1111 1111 1111"},
        },
    )
    assert answer.status_code == 200 and answer.json()
    [user] = [e for e in tracker(rasa_server, sender)["events"] if e["event"] == "user"]
    assert user["input_channel"] == "telegram"
    assert user["metadata"]["note"] == "card •••• 1111"


def test_trailing_slash_is_protected_too(rasa_server) -> None:
    sender = "slash-1"
    answer = httpx.post(
        f"{rasa_server.url}/webhooks/rest/webhook/",
        json={"sender": sender, "message": "send 20 to 4111 1111 1111 1111, pin 1234"},
        timeout=30,
    )
    assert answer.status_code == 200
    [user] = [e for e in tracker(rasa_server, sender)["events"] if e["event"] == "user"]
    assert user["text"].startswith(f"send 20 to {CARD_PREFIX}")
    assert user["text"].endswith("pin [redacted]")
    refused = httpx.post(
        f"{rasa_server.url}/webhooks/rest/webhook/", json={"sender": sender}, timeout=30
    )
    assert refused.status_code == 400


def test_socketio_messages_are_protected_too(rasa_server) -> None:
    # The synchronous client over long-polling: it needs only `requests` (installed with
    # Rasa); the asyncio client's websocket transport needs a newer aiohttp than Rasa pins.
    client = socketio.Client()
    received: queue.Queue = queue.Queue()
    session_id = "sio-session-1"
    client.on("bot_uttered", received.put)
    client.connect(rasa_server.url, socketio_path="/socket.io", transports=["polling"])
    try:
        client.emit("session_request", {"session_id": session_id})
        client.emit(
            "user_uttered",
            {"session_id": session_id, "message": "send 20 to 4111 1111 1111 1111, pin 1234"},
        )
        assert received.get(timeout=30)  # the assistant answers in the session's room
        client.emit("user_uttered", {"session_id": session_id, "message": ["not text"]})
        texts = []
        while not any("could not read" in text for text in texts):
            texts.append(received.get(timeout=30).get("text", ""))
    finally:
        client.disconnect()
    [user] = _user_events_when_processed(rasa_server, session_id)
    assert user["text"].startswith(f"send 20 to {CARD_PREFIX}")
    assert user["text"].endswith("pin [redacted]")
