"""The channels as a client sees them: only verified callers get in (each known attack is
tried and refused with 401/403, nothing stored); bad input gets a clear answer and changes
nothing; socket.io gets the same protection as REST, and so does any path that reaches the REST
channel."""

from __future__ import annotations

import queue
import time

import httpx
import pytest
import socketio

from assistant.channels.auth import mint_token
from bankclient.refs import CARD_PREFIX
from scripts.chat import rest_auth
from tests.e2e.helpers import log_in, tracker


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


def _post(rasa_server, sender: str = "x1", path: str = "/webhooks/rest/webhook", **kwargs):
    """A request signed by the `local` client for `sender` (None: unsigned)."""
    headers = rest_auth(sender, rasa_server.rest_secret) if sender else {}
    headers.update(kwargs.pop("headers", {}))
    return httpx.post(f"{rasa_server.url}{path}", timeout=30, headers=headers, **kwargs)


def _users(rasa_server, sender: str) -> list[dict]:
    return [e for e in tracker(rasa_server, sender)["events"] if e["event"] == "user"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"json": ["a", "list"]},
        {"json": {"sender": "x1", "message": 12}},
        {"json": {"sender": "x1", "message": {"image": "https://example.org/a.png"}}},
        {"json": {"sender": "x1"}},
        {"json": {"sender": "x1", "message": "\x00\x01 \t"}},
        {"json": {"sender": "x1", "message": "hi", "metadata": [1, 2]}},
    ],
    ids=["malformed", "not-object", "number", "non-text", "no-message", "empty", "bad-metadata"],
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


def test_metadata_is_accepted_and_redacted(rasa_server) -> None:
    sender = "meta-1"
    answer = _post(
        rasa_server,
        sender,
        json={"message": "hi", "metadata": {"note": "card 4111 1111 1111 1111"}},
    )
    assert answer.status_code == 200 and answer.json()
    [user] = _users(rasa_server, sender)
    assert user["input_channel"] == "rest"
    assert user["metadata"]["note"] == "card •••• 1111"


def test_trailing_slash_is_protected_too(rasa_server) -> None:
    sender, path = "slash-1", "/webhooks/rest/webhook/"
    answer = _post(
        rasa_server, sender, path, json={"message": "send 20 to 4111 1111 1111 1111, pin 1234"}
    )
    assert answer.status_code == 200
    [user] = _users(rasa_server, sender)
    assert user["text"].startswith(f"send 20 to {CARD_PREFIX}")
    assert user["text"].endswith("pin [redacted]")
    assert _post(rasa_server, sender, path, json={"sender": sender}).status_code == 400


# ------------------------------------------------------------------ the known attacks


@pytest.fixture(scope="module")
def victim(chat, rasa_server, corebank) -> str:
    """A REST conversation logged in as the demo customer Anna."""
    sender = chat.new_sender("victim")
    answers = log_in(chat, rasa_server, corebank, sender)
    assert any("logged in" in text for text in answers), answers
    return sender


def _nothing_new_stored(rasa_server, sender: str, before: int) -> None:
    assert len(_users(rasa_server, sender)) == before


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/webhooks/rest/webhook/"])
@pytest.mark.parametrize(
    "body",
    [
        {"message": "balance"},
        {"message": "send 400 uah to 5555 5555 5555 4444"},
        {"message": "yes"},
        {"message": "balance", "input_channel": "telegram"},
    ],
    ids=["balance", "transfer", "confirm", "as-telegram"],
)
def test_no_credential_no_entry(rasa_server, victim, path, body) -> None:
    before = len(_users(rasa_server, victim))
    answer = _post(rasa_server, None, path, json={"sender": victim, **body})
    assert answer.status_code == 401
    assert "balance" not in answer.text.lower() and "UAH" not in answer.text
    _nothing_new_stored(rasa_server, victim, before)


def test_a_forged_credential_gets_nothing(rasa_server, victim) -> None:
    before = len(_users(rasa_server, victim))
    forged = mint_token("local", "guessed-secret-of-enough-length!", victim)
    answer = httpx.post(
        f"{rasa_server.url}/webhooks/rest/webhook",
        json={"message": "balance"},
        headers={"Authorization": f"Bearer {forged}"},
        timeout=30,
    )
    assert answer.status_code == 401
    _nothing_new_stored(rasa_server, victim, before)


def test_a_client_credential_for_someone_else_cannot_name_the_victim(rasa_server, victim) -> None:
    before = len(_users(rasa_server, victim))
    answer = _post(rasa_server, "attacker-1", json={"sender": victim, "message": "balance"})
    assert answer.status_code == 403
    _nothing_new_stored(rasa_server, victim, before)


def test_the_channel_cannot_be_chosen_by_the_caller(rasa_server) -> None:
    answer = _post(rasa_server, "12345", json={"message": "balance", "input_channel": "telegram"})
    assert answer.status_code == 403
    answer = _post(rasa_server, "tg-12345", json={"message": "balance"})  # a Telegram chat's key
    assert answer.status_code == 400
    assert _users(rasa_server, "tg-12345") == []


def test_a_one_megabyte_message_without_credential_is_refused_first(rasa_server) -> None:
    answer = _post(
        rasa_server, None, "/webhooks/rest/webhook/", json={"sender": "big", "message": "x" * 10**6}
    )
    assert answer.status_code == 401
    assert _users(rasa_server, "big") == []


def test_socketio_from_a_foreign_origin_without_a_token_is_refused(rasa_server, victim) -> None:
    client = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            rasa_server.url,
            socketio_path="/socket.io",
            transports=["polling"],
            headers={"Origin": "http://evil.example"},
            auth={"token": _session_token(rasa_server, victim)},
        )
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(rasa_server.url, socketio_path="/socket.io", transports=["polling"])


def test_socketio_cannot_join_another_session(rasa_server, victim) -> None:
    before = len(_users(rasa_server, victim))
    client = socketio.Client()
    received: queue.Queue = queue.Queue()
    client.on("bot_uttered", received.put)
    client.connect(
        rasa_server.url,
        socketio_path="/socket.io",
        transports=["polling"],
        auth={"token": _session_token(rasa_server, "attacker-session")},
    )
    try:
        client.emit("session_request", {"session_id": victim})
        assert "own session" in received.get(timeout=30)["text"]
        deadline = time.monotonic() + 10
        while client.connected and time.monotonic() < deadline:  # the server hangs up
            time.sleep(0.1)
        assert not client.connected
        with pytest.raises(socketio.exceptions.BadNamespaceError):
            client.emit("user_uttered", {"session_id": victim, "message": "balance"})
    finally:
        client.disconnect()
    _nothing_new_stored(rasa_server, victim, before)


def _session_token(rasa_server, session_id: str) -> str:
    """What the web chat's server issues to its page for `session_id`."""
    return mint_token("webchat", rasa_server.env["SOCKETIO_JWT_KEY"], session_id)


def test_socketio_messages_are_protected_too(rasa_server) -> None:
    # The synchronous client over long-polling: it needs only `requests` (installed with
    # Rasa); the asyncio client's websocket transport needs a newer aiohttp than Rasa pins.
    client = socketio.Client()
    received: queue.Queue = queue.Queue()
    session_id = "sio-session-1"
    client.on("bot_uttered", received.put)
    client.connect(
        rasa_server.url,
        socketio_path="/socket.io",
        transports=["polling"],
        headers={"Origin": "http://127.0.0.1:5005"},  # in the allow-list (services.DEV_DEFAULTS)
        auth={"token": _session_token(rasa_server, session_id)},
    )
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
    [user] = _user_events_when_processed(rasa_server, f"sio-{session_id}")  # its own key
    assert user["text"].startswith(f"send 20 to {CARD_PREFIX}")
    assert user["text"].endswith("pin [redacted]")
