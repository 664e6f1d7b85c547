"""The socket.io channel: a connection needs a server-signed token naming its session (the
session is the token's, never the event's); its `user_uttered` handler reads the event, the
guard does the rest; refusals are answered to the socket that sent them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.channels import RedactingSocketIOInput
from assistant.channels.auth import mint_token
from assistant.channels.guard import GuardedMessage, too_long_answer
from bankclient.refs import CARD_PREFIX
from tests.assistant.channels.conftest import BOT_ANSWER, RecordingAgent, rasa_app

CTOK = re.compile(rf"{CARD_PREFIX}[A-Za-z0-9]{{16}}")
SID = "socket-1"
KEY = "socket-test-jwt-key-0123456789ab"


class Socket:
    """A registered socket.io channel whose emitted events are recorded."""

    def __init__(self, session_persistence: bool, jwt_key: str | None = KEY) -> None:
        self.channel = RedactingSocketIOInput.from_credentials(
            {"session_persistence": session_persistence, "jwt_key": jwt_key}
        )
        self.agent = RecordingAgent()
        rasa_app(self.channel, agent=self.agent)
        self.emitted: list[tuple[str, Any, str]] = []
        self.joined: list[tuple[str, str]] = []
        sio = self.channel.sio

        async def emit(event: str, data: Any, room: str, **_kwargs: Any) -> None:
            self.emitted.append((event, data, room))

        async def enter_room(sid: str, room: str, **_kwargs: Any) -> None:
            self.joined.append((sid, room))

        async def disconnect(sid: str, **_kwargs: Any) -> None:
            self.disconnected.append(sid)

        self.disconnected: list[str] = []
        sio.emit, sio.enter_room, sio.disconnect = emit, enter_room, disconnect

    async def connect(self, auth: Any, sid: str = SID) -> bool:
        return await self.channel.sio.handlers["/"]["connect"](sid, {}, auth)

    async def send(self, event: str, data: Any) -> None:
        await self.channel.sio.handlers["/"][event](SID, data)

    def texts_to(self, room: str) -> list[str]:
        return [data["text"] for event, data, to in self.emitted if to == room]


@pytest.fixture
async def socket() -> Socket:
    """Connected as socket SID with a token for session "s-1"."""
    socket = Socket(session_persistence=True)
    assert await socket.connect({"token": mint_token("web", KEY, "s-1")})
    return socket


async def test_messages_are_protected(socket, vault) -> None:
    await socket.send(
        "user_uttered",
        {"session_id": "s-1", "message": "send 20 to 4111 1111 1111 1111, pin 1234"},
    )
    [message] = socket.agent.messages
    assert isinstance(message, GuardedMessage)
    assert (message.sender_id, message.input_channel) == ("sio-s-1", "socketio")
    card = message.text.removeprefix("send 20 to ").removesuffix(", pin [redacted]")
    assert CTOK.fullmatch(card), message.text
    assert socket.texts_to("s-1") == [BOT_ANSWER]


async def test_metadata_is_redacted(socket) -> None:
    await socket.send(
        "user_uttered", {"session_id": "s-1", "message": "hi", "metadata": {"pin": "pin 1234"}}
    )
    assert socket.agent.messages[0].metadata == {"pin": "pin [redacted]"}
    await socket.send("user_uttered", {"session_id": "s-1", "message": "hi"})
    assert socket.agent.messages[1].metadata == {}  # as Rasa's own handler gives it


@pytest.mark.parametrize(
    "data, reason",
    [
        (["not", "an", "object"], "The body must be a JSON object."),
        ({"session_id": "s-2", "message": "hi"}, "This connection may only write in its own"),
        ({"session_id": "s-1", "message": ["not text"]}, "'message' must be a string"),
        ({"session_id": "s-1", "message": "\x00"}, "'message' is empty."),
        ({"session_id": "s-1", "message": "hi", "metadata": "x"}, "'metadata' must be"),
    ],
)
async def test_bad_events_are_answered_to_the_socket(socket, data, reason) -> None:
    await socket.send("user_uttered", data)
    [answer] = socket.texts_to(SID)
    assert answer.startswith(f"Sorry, I could not read that message: {reason}")
    assert socket.agent.messages == []


async def test_over_long_message_is_answered_and_not_passed_on(socket, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_MAX_MESSAGE_CHARS", "5")
    await socket.send("user_uttered", {"session_id": "s-1", "message": "toolong"})
    assert socket.texts_to("s-1") == [too_long_answer(5)]
    assert socket.agent.messages == []


async def test_without_session_persistence_the_socket_is_the_sender() -> None:
    socket = Socket(session_persistence=False)
    assert await socket.connect({"token": mint_token("web", KEY, "s-1")})
    await socket.send("user_uttered", {"session_id": "ignored", "message": "hi"})
    assert socket.agent.messages[0].sender_id == f"sio-{SID}"


async def test_session_request_joins_the_session_room(socket) -> None:
    await socket.send("session_request", {"session_id": "s-1"})
    assert socket.joined == [(SID, "s-1")]
    assert socket.emitted == [("session_confirm", "s-1", SID)]
    await socket.send("session_request", {})  # no id asked: the token's session
    assert socket.joined[-1] == (SID, "s-1")


@pytest.mark.parametrize("asked", ["victim-session", "bad id!", 7])
async def test_a_connection_cannot_open_another_session(socket, asked) -> None:
    await socket.send("session_request", {"session_id": asked})
    assert socket.joined == []
    assert socket.disconnected == [SID]
    assert [event for event, _data, _to in socket.emitted] == ["bot_uttered"]
    await socket.send("user_uttered", {"session_id": asked, "message": "balance"})
    assert socket.agent.messages == []


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"token": ""},
        {"token": "not-a-jwt"},
        {"token": mint_token("web", "a-forged-key-of-enough-length!!!", "s-1")},
        {"token": mint_token("web", KEY, "s-1", ttl_seconds=-3600)},
        {"token": mint_token("web", KEY, "bad id!")},
    ],
    ids=["none", "empty", "empty-token", "garbage", "forged", "expired", "bad-session"],
)
async def test_connections_without_a_valid_token_are_refused(auth) -> None:
    socket = Socket(session_persistence=True)
    assert await socket.connect(auth) is False
    await socket.send("user_uttered", {"session_id": "s-1", "message": "balance"})
    assert socket.agent.messages == []


async def test_without_a_jwt_key_the_channel_is_off() -> None:
    socket = Socket(session_persistence=True, jwt_key="")
    assert await socket.connect({"token": mint_token("web", KEY, "s-1")}) is False


def test_browsers_only_from_the_allowed_origins() -> None:
    channel = RedactingSocketIOInput.from_credentials(
        {"jwt_key": KEY, "cors_allowed_origins": "https://chat.bank.example, https://x.example"}
    )
    rasa_app(channel, agent=RecordingAgent())
    assert channel.sio.eio.cors_allowed_origins == [
        "https://chat.bank.example",
        "https://x.example",
    ]
    closed = RedactingSocketIOInput.from_credentials({"jwt_key": KEY, "cors_allowed_origins": ""})
    rasa_app(closed, agent=RecordingAgent())
    assert closed.sio.eio.cors_allowed_origins is None  # same origin only, never "any"


async def test_deep_or_big_metadata_is_answered_and_packets_are_bounded(socket) -> None:
    """Issue 22 #6: 900 KB of metadata from socket.io was stored (3.6 MB)."""
    deep: dict = {"x": 1}
    for _ in range(500):
        deep = {"a": deep}
    await socket.send("user_uttered", {"session_id": "s-1", "message": "hi", "metadata": deep})
    await socket.send("user_uttered", {"session_id": "s-1", "message": "hi",
                                       "metadata": {"blob": "x" * 900_000}})
    answers = socket.texts_to(SID)
    assert len(answers) == 2 and "nested too deep" in answers[0] and "too large" in answers[1]
    assert socket.agent.messages == []
    assert socket.channel.sio.eio.max_http_buffer_size <= 65536


async def test_socketio_and_rest_conversations_never_meet(socket) -> None:
    """Issue 22 #5: a socket.io session whose token named a logged-in REST sender shared that
    sender's conversation (greeted by name, got the customer's notices)."""
    from assistant.channels.guard import BadMessage, sender_key
    from assistant.channels.rest import RedactingRestInput
    from assistant.channels.socketio import SessionOutput

    await socket.send("user_uttered", {"session_id": "s-1", "message": "hi"})
    assert socket.agent.messages[0].sender_id == "sio-s-1"  # never the REST key "s-1"
    rest = RedactingRestInput()
    assert sender_key(rest, "s-1") == "s-1"
    with pytest.raises(BadMessage):  # nor can a REST caller name the socket.io conversation
        sender_key(rest, "sio-s-1")
    # replies and proactive messages reach the session's own room
    output = socket.channel.get_output_channel()
    assert isinstance(output, SessionOutput)
    await output.send_text_message("sio-s-1", "your top-up arrived")
    assert socket.texts_to("s-1")[-1] == "your top-up arrived"
