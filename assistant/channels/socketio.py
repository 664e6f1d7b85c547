"""Rasa's socket.io channel ("socketio"): path /socket.io, events user_uttered / bot_uttered.

The transport's own part is reading the `user_uttered` event (its sender is the socket, or the
session with `session_persistence`) and telling the socket when the guard refuses a message.
The checks, limits and protection are the guard's (assistant.channels.guard).

Who may connect (docs/security.md, "Identity"): a connection must carry a server-issued token,
`auth={"token": <JWT HS256 signed with jwt_key, "sub": the session id, "exp">}`
(assistant.channels.auth.mint_token); the session is the token's `sub`, whatever the
`session_request` / `user_uttered` events say (a different session id is refused). Without a
`jwt_key` (of at least 16 characters) every connection is refused: the channel is off. Browsers
may connect only from the origins in `cors_allowed_origins` (a list, or a comma-separated
string); none listed = same origin only.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from assistant.channels.auth import Unauthorized, usable_secret, verify_session_token
from assistant.channels.guard import (
    SENDER_ID,
    BadMessage,
    GuardedInputChannel,
    MessageGuard,
    arriving_message,
)


class SessionOutput(SocketIOOutput):
    """Rasa's socket.io output for conversations keyed `sio-<session>`: it emits to the
    session's (or socket's) own room, the key without the channel's prefix."""

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await super()._send_message(room_of(socket_id), response)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        await super().send_custom_json(room_of(recipient_id), json_message, **kwargs)


def room_of(conversation_key: str) -> str:
    return conversation_key.removeprefix(RedactingSocketIOInput.sender_prefix)


class RedactingSocketIOInput(GuardedInputChannel, SocketIOInput):
    """Rasa's socket.io channel ("socketio") behind the channel guard.

    Its conversations are keyed `sio-<session id>` (the guard's `sender_prefix`): a web chat's
    session ids, whatever its server mints, never name a REST or messenger conversation, and
    no REST caller can name a socket.io one (issue 22: a session whose token named a logged-in
    REST sender was greeted by name and got that customer's notices).
    """

    sender_prefix = "sio-"

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RedactingSocketIOInput:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        assert isinstance(channel, RedactingSocketIOInput)
        channel.jwt_key = usable_secret(credentials.get("jwt_key"))
        channel.jwt_algorithm = "HS256"
        channel.allowed_origins = allowed_origins(credentials.get("cors_allowed_origins"))
        return channel

    def __init__(self, *args: Any, allowed_origins: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.jwt_key = usable_secret(self.jwt_key)
        self.allowed_origins = allowed_origins or []
        #: socket id → the session id its token names
        self.sessions: dict[str, str] = {}

    def session_of(self, sid: str) -> str:
        session = self.sessions.get(sid)
        if session is None:
            raise BadMessage("This connection has no verified session.")
        return session

    def message_from_event(self, sid: str, data: Any) -> UserMessage:
        """The `user_uttered` payload's fields as they arrived (the guard checks them)."""
        if not isinstance(data, dict):
            raise BadMessage("The body must be a JSON object.")
        session = self.session_of(sid)
        claimed = data.get("session_id")
        if self.session_persistence and claimed not in (None, session):
            raise BadMessage("This connection may only write in its own session.")
        sender = session if self.session_persistence else sid
        return arriving_message(
            data.get("message"),
            SessionOutput(self.sio, self.bot_message_evt),
            sender,
            input_channel=self.name(),
            metadata=data.get(self.metadata_key or "metadata", {}),
        )

    def get_output_channel(self) -> SessionOutput | None:
        """Where proactive messages (Rasa's `trigger_intent`) to a socket.io conversation go."""
        return SessionOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: MessageGuard) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace or "/"
        # Rasa creates the server with cors_allowed_origins=[], which turns the check off.
        sio.eio.cors_allowed_origins = list(self.allowed_origins) or None  # None: same origin
        # engine.io accepts 1 MB packets by default; a message and its small metadata (the
        # guard's limits) fit in far less, so a bigger packet is dropped before it is parsed.
        sio.eio.max_http_buffer_size = max_packet_bytes()

        async def connect(sid: str, _environ: Any, auth: Any = None) -> bool:
            if not self.jwt_key:
                return False  # the channel is off
            token = auth.get("token") if isinstance(auth, dict) else None
            try:
                claims = verify_session_token(token, self.jwt_key)
            except Unauthorized:
                return False
            if not SENDER_ID.match(claims["sub"]):
                return False
            self.sessions[sid] = claims["sub"]
            return True

        async def disconnect(sid: str) -> None:
            self.sessions.pop(sid, None)

        async def handle_message(sid: str, data: Any) -> None:
            try:
                await on_new_message(self.message_from_event(sid, data))
            except BadMessage as exc:
                await sio.emit(
                    self.bot_message_evt,
                    {"text": f"Sorry, I could not read that message: {exc}"},
                    room=sid,
                    namespace=namespace,
                )

        async def session_request(sid: str, data: Any) -> None:
            # Replaces Rasa 3.6's handler, which trusts the session id the client asks for and
            # calls `sio.enter_room` without awaiting it (a coroutine in python-socketio 5).
            session_id = self.sessions.get(sid)
            asked = data.get("session_id") if isinstance(data, dict) else None
            if session_id is None or asked not in (None, session_id):
                await sio.emit(
                    self.bot_message_evt,
                    {"text": "Sorry, this connection may only open its own session."},
                    room=sid,
                    namespace=namespace,
                )
                await sio.disconnect(sid, namespace=namespace)
                return
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        sio.handlers[namespace]["connect"] = connect
        sio.handlers[namespace]["disconnect"] = disconnect
        sio.handlers[namespace]["session_request"] = session_request
        sio.handlers[namespace][self.user_message_evt] = handle_message
        return blueprint


def max_packet_bytes() -> int:
    return int(os.environ.get("ASSISTANT_MAX_SOCKETIO_BYTES", "65536"))


def allowed_origins(value: Any) -> list[str]:
    """credentials.yml `cors_allowed_origins`: a list or a comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [origin.strip() for origin in value if isinstance(origin, str) and origin.strip()]
