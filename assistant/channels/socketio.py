"""Rasa's socket.io channel ("socketio"): path /socket.io, events user_uttered / bot_uttered.

The transport's own part is reading the `user_uttered` event (its sender is the socket, or the
session with `session_persistence`) and telling the socket when the guard refuses a message.
The checks, limits and protection are the guard's (assistant.channels.guard).
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from assistant.channels.guard import (
    SENDER_ID,
    BadMessage,
    GuardedInputChannel,
    MessageGuard,
    arriving_message,
)


class RedactingSocketIOInput(GuardedInputChannel, SocketIOInput):
    """Rasa's socket.io channel ("socketio") behind the channel guard."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def message_from_event(self, sid: str, data: Any) -> UserMessage:
        """The `user_uttered` payload's fields as they arrived (the guard checks them)."""
        if not isinstance(data, dict):
            raise BadMessage("The body must be a JSON object.")
        sender = data.get("session_id") if self.session_persistence else sid
        return arriving_message(
            data.get("message"),
            SocketIOOutput(self.sio, self.bot_message_evt),
            sender,
            input_channel=self.name(),
            metadata=data.get(self.metadata_key or "metadata", {}),
        )

    def blueprint(self, on_new_message: MessageGuard) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace or "/"

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
            # Replaces Rasa 3.6's handler, which calls `sio.enter_room` without awaiting it
            # (a coroutine in python-socketio 5): the client never joined its session's room,
            # so with session_persistence it never received an answer.
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not SENDER_ID.match(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        sio.handlers[namespace]["session_request"] = session_request
        sio.handlers[namespace][self.user_message_evt] = handle_message
        return blueprint
