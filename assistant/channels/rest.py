"""Rasa's REST channel ("rest"): POST /webhooks/rest/webhook {"message", "metadata"?}.

Only authenticated callers get in (assistant.channels.auth): `Authorization: Bearer <JWT>`
signed with the secret of a client listed under `clients` in credentials.yml, whose `sub` names
the sender. No client configured (or only empty secrets) = the channel is off (403 for all).
Missing or invalid token: 401; a body `sender` other than the token's, or any `input_channel`
in the body: 403. Nothing reaches Rasa in either case. The channel is always "rest".

The transport's own part is reading the body: malformed JSON or a body that is not an object
is answered 400, as is any message the guard refuses. The checks, limits and protection are the
guard's (assistant.channels.guard); this module only says how their outcome is told over HTTP.
Same answers as Rasa's RestInput otherwise, including `?stream=true`.
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from assistant.channels.auth import Forbidden, Unauthorized, client_secrets, verify_client_token
from assistant.channels.guard import (
    BadMessage,
    GuardedInputChannel,
    GuardedMessage,
    MessageGuard,
    arriving_message,
)

structlogger = structlog.get_logger()


def bad_request(message: str) -> response.HTTPResponse:
    return response.json({"error": {"code": "invalid_request", "message": message}}, status=400)


def refused(status: int, message: str) -> response.HTTPResponse:
    code = "unauthorized" if status == 401 else "forbidden"
    return response.json({"error": {"code": code, "message": message}}, status=status)


def message_from_body(
    request: Request, output_channel: CollectingOutputChannel, sender: str
) -> UserMessage:
    """The body's fields as they arrived (the guard checks them), for the `sender` the caller's
    token names; BadMessage if there is no JSON object to read them from, Forbidden if the
    body asks for another sender or channel."""
    try:
        payload = request.json
    except InvalidUsage as exc:
        raise BadMessage("The body is not valid JSON.") from exc
    if not isinstance(payload, dict):
        raise BadMessage("The body must be a JSON object.")
    if "input_channel" in payload:
        raise Forbidden("'input_channel' is set by the server, not by the caller.")
    if "sender" in payload and str(payload["sender"]) != sender:
        raise Forbidden("'sender' differs from the sender your credential names.")
    return arriving_message(
        payload.get("message"), output_channel, sender, metadata=payload.get("metadata")
    )


class RedactingRestInput(GuardedInputChannel, RestInput):
    """Rasa's REST channel ("rest") behind the channel guard."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RedactingRestInput:
        return cls(clients=(credentials or {}).get("clients"))

    def __init__(self, clients: Any = None) -> None:
        #: {client id: secret}; empty = the channel refuses everyone.
        self.clients = client_secrets(clients)

    def authenticated_sender(self, request: Request) -> str:
        """The sender the caller's token names. Raises Forbidden (channel off) or
        Unauthorized."""
        if not self.clients:
            raise Forbidden("The REST channel is off (no client credential configured).")
        return verify_client_token(request.headers.get("Authorization"), self.clients)["sub"]

    def blueprint(self, on_new_message: MessageGuard) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            collector = CollectingOutputChannel()
            try:
                sender = self.authenticated_sender(request)
                arrived = message_from_body(request, collector, sender)
                message = await on_new_message.admit(arrived)
            except Unauthorized as exc:
                structlogger.warning("rest.message.unauthorized", reason=str(exc))
                return refused(401, "A valid client credential is required.")
            except Forbidden as exc:
                structlogger.warning("rest.message.forbidden", reason=str(exc))
                return refused(403, str(exc))
            except BadMessage as exc:
                return bad_request(str(exc))
            if message is None:  # answered by the guard (too long)
                return response.json(collector.messages)

            if bool_arg(request, "stream", default=False):
                return response.stream(
                    _streamed(on_new_message, message), content_type="text/event-stream"
                )
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                structlogger.error(
                    "rest.message.received.timeout", text=copy.deepcopy(message.text)
                )
            except Exception:
                structlogger.exception(
                    "rest.message.received.failure", text=copy.deepcopy(message.text)
                )
            return response.json(collector.messages)

        return webhook


def _streamed(guard: MessageGuard, message: GuardedMessage) -> Any:
    """The bot's answers written one JSON document per line as they come (`?stream=true`)."""

    async def stream(resp: Any) -> None:
        queue: asyncio.Queue = asyncio.Queue()
        message.output_channel = QueueOutputChannel(queue)

        async def handle() -> None:
            try:
                await guard(message)
            finally:
                await queue.put("DONE")

        task = asyncio.ensure_future(handle())
        while (answer := await queue.get()) != "DONE":
            await resp.write(json.dumps(answer) + "\n")
        await task

    return stream
