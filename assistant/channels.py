"""REST and socket.io input channels that make a message safe before Rasa sees it.

Same names as Rasa's own channels ("rest", "socketio"), so the URLs stay standard:
POST /webhooks/rest/webhook and the socket.io path /socket.io. credentials.yml:

    assistant.channels.RedactingRestInput: {}
    assistant.channels.RedactingSocketIOInput: {...}

What happens to every incoming message (docs/security.md):
1. bad input is refused with a clear answer: malformed JSON, a non-text message, a wrong
   sender, an over-long message; control characters are stripped;
2. card numbers (Luhn-valid 13–19 digits) become vault tokens `ctok_…` (`ctok_unavailable`
   when the vault cannot be reached);
3. a passport number after the word "passport" becomes `ptok_…`;
4. when the conversation waits for a secret (`requested_slot` is otp_code or passport_number)
   the code or number becomes a vault reference `otok_…` / `ptok_…` ("[redacted]" if the vault
   is down);
5. anything else that looks like a PIN, CVV or password phrase is replaced by "[redacted]".
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from assistant import rasa_patches
from assistant.log_filter import install as install_log_redaction
from assistant.redaction import (
    OTP_VALUE,
    PASSPORT_AFTER_WORD,
    PASSPORT_VALUE,
    REDACTED,
    Span,
    find_card_numbers,
    redact_obj,
    redact_text,
    replace_spans,
)

logger = logging.getLogger(__name__)

CARD_TOKEN_UNAVAILABLE = "ctok_unavailable"
# The slot the conversation is filling → (vault kind, pattern of the secret in the message).
AWAITED_SECRETS: dict[str, tuple[str, re.Pattern]] = {
    "otp_code": ("otp", OTP_VALUE),
    "passport_number": ("passport", PASSPORT_VALUE),
}
_CONTROL = re.compile(
    # C0/C1 controls except tab and newline, DEL, and the bidi overrides that can make a
    # message display differently from what it says.
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
_SENDER = re.compile(r"^[\w@.:+\-]{1,128}$")
_CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def max_message_chars() -> int:
    return int(os.environ.get("ASSISTANT_MAX_MESSAGE_CHARS", "2000"))


def too_long_answer(limit: int) -> str:
    return (
        f"That message is too long for me (over {limit:,} characters). "
        "Could you send it again in a sentence or two?"
    )


class BadMessage(ValueError):
    """The request cannot be a customer message (malformed, wrong types)."""


def strip_control_characters(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass
class IncomingMessage:
    sender_id: str
    text: str
    metadata: dict[str, Any] | None
    input_channel: str | None = None


def parse_payload(
    payload: Any, sender_key: str = "sender", metadata_key: str = "metadata"
) -> IncomingMessage:
    """Validate the JSON body of a message: types first, then content."""
    if not isinstance(payload, dict):
        raise BadMessage("The body must be a JSON object.")
    sender = payload.get(sender_key)
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not _SENDER.match(sender):
        raise BadMessage(
            f"'{sender_key}' must be a string of 1-128 letters, digits or @.:+-_ characters."
        )
    text = payload.get("message")
    if not isinstance(text, str):
        raise BadMessage("'message' must be a string (only text messages are accepted).")
    text = strip_control_characters(text).strip()
    if not text:
        raise BadMessage("'message' is empty.")
    metadata = payload.get(metadata_key)
    if metadata is not None and not isinstance(metadata, dict):
        raise BadMessage(f"'{metadata_key}' must be a JSON object.")
    input_channel = payload.get("input_channel")
    if input_channel is not None and (
        not isinstance(input_channel, str) or not _CHANNEL_NAME.match(input_channel)
    ):
        raise BadMessage("'input_channel' must be a lower-case channel name.")
    return IncomingMessage(sender, text, metadata, input_channel)


def _bank():
    # Imported lazily: the wrapper is the action server's package; the Rasa process only
    # needs it for the vault, and only when a message holds something to tokenize.
    from actions.bank import get_bank

    return get_bank()


async def tokenize_card(pan: str) -> str:
    try:
        return (await _bank().rest.tokenize_card(pan))["card_token"]
    except Exception as exc:  # vault down, timeout, unexpected answer: never keep the PAN
        logger.warning("Card vault unavailable (%s): card number replaced", type(exc).__name__)
        return CARD_TOKEN_UNAVAILABLE


async def store_secret(kind: str, value: str) -> str:
    try:
        return (await _bank().rest.store_secret(kind, value))["secret_ref"]
    except Exception as exc:
        logger.warning("Secret vault unavailable (%s): %s replaced", type(exc).__name__, kind)
        return REDACTED


async def _replace_async(
    text: str, spans: list[Span], replacement: Callable[[Span], Awaitable[str]]
) -> str:
    if not spans:
        return text
    values = {span: await replacement(span) for span in spans}
    return replace_spans(text, spans, values.__getitem__)


async def awaited_secret_slot(tracker_store: Any, sender_id: str) -> str | None:
    """The secret slot the conversation is currently asking for, if any."""
    if tracker_store is None:
        return None
    try:
        tracker = await tracker_store.retrieve(sender_id)
    except Exception as exc:
        logger.error("Could not read the tracker to check for an awaited secret: %r", exc)
        return None
    slot = tracker.get_slot("requested_slot") if tracker is not None else None
    return slot if slot in AWAITED_SECRETS else None


async def protect_text(text: str, sender_id: str, tracker_store: Any) -> str:
    """The message as Rasa may see and store it (steps 2-5 of the module docstring)."""
    if not any(ch.isdigit() for ch in text):
        return redact_text(text, birth_dates=False)  # card numbers and secrets have digits

    text = await _replace_async(text, find_card_numbers(text), lambda s: tokenize_card(s.value))

    passports = [
        Span(m.start("value"), m.end("value"), m.group("value"))
        for m in PASSPORT_AFTER_WORD.finditer(text)
    ]
    text = await _replace_async(
        text, passports, lambda s: store_secret("passport", _compact(s.value))
    )

    # Reading the tracker costs a database round trip: only when a secret could be here.
    could_be_secret = any(pattern.search(text) for _kind, pattern in AWAITED_SECRETS.values())
    slot = await awaited_secret_slot(tracker_store, sender_id) if could_be_secret else None
    if slot is not None:
        kind, pattern = AWAITED_SECRETS[slot]
        match = pattern.search(text)
        if match is not None:
            span = Span(match.start(), match.end(), match.group())
            text = await _replace_async(
                text, [span], lambda s: store_secret(kind, _compact(s.value))
            )

    return redact_text(text, birth_dates=False)


def _compact(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def _agent_tracker_store(app: Any) -> Any:
    agent = getattr(app.ctx, "agent", None)
    return getattr(agent, "tracker_store", None)


def _bad_request(message: str) -> response.HTTPResponse:
    return response.json({"error": {"code": "invalid_request", "message": message}}, status=400)


class RedactingRestInput(RestInput):
    """Rasa's REST channel ("rest"), with input validation and redaction in front of it."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[Any], Awaitable[Any]]) -> Blueprint:
        install_log_redaction()
        rasa_patches.apply()
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def guard(request: Request):
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            try:
                try:
                    payload = request.json
                except InvalidUsage as exc:
                    raise BadMessage("The body is not valid JSON.") from exc
                incoming = parse_payload(payload)
            except BadMessage as exc:
                return _bad_request(str(exc))

            limit = max_message_chars()
            if len(incoming.text) > limit:
                answer = {"recipient_id": incoming.sender_id, "text": too_long_answer(limit)}
                return response.json([answer])

            safe = dict(payload)
            safe["sender"] = incoming.sender_id
            safe["message"] = await protect_text(
                incoming.text, incoming.sender_id, _agent_tracker_store(request.app)
            )
            if incoming.metadata is not None:
                safe["metadata"] = redact_obj(incoming.metadata)
            request.parsed_json = safe  # what RestInput's handler reads
            return None

        return blueprint


class RedactingSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel ("socketio"), with the same guard on `user_uttered`."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[Any], Awaitable[Any]]) -> Blueprint:
        install_log_redaction()
        rasa_patches.apply()
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace or "/"
        handle_message = sio.handlers[namespace][self.user_message_evt]

        async def answer(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=namespace)

        async def guarded_handle_message(sid: str, data: Any) -> None:
            if isinstance(data, dict) and not self.session_persistence:
                data = {**data, "sender": sid}
            elif isinstance(data, dict):
                data = {**data, "sender": data.get("session_id")}
            try:
                incoming = parse_payload(data, metadata_key=self.metadata_key or "metadata")
            except BadMessage as exc:
                await answer(sid, f"Sorry, I could not read that message: {exc}")
                return
            limit = max_message_chars()
            if len(incoming.text) > limit:
                await answer(sid, too_long_answer(limit))
                return
            app = sio.get_environ(sid, namespace)["sanic.request"].app
            safe = {k: v for k, v in data.items() if k != "sender"}
            safe["message"] = await protect_text(
                incoming.text, incoming.sender_id, _agent_tracker_store(app)
            )
            if incoming.metadata is not None:
                safe[self.metadata_key] = redact_obj(incoming.metadata)
            await handle_message(sid, safe)

        async def session_request(sid: str, data: Any) -> None:
            # Replaces Rasa 3.6's handler, which calls `sio.enter_room` without awaiting it
            # (a coroutine in python-socketio 5): the client never joined its session's room,
            # so with session_persistence it never received an answer.
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not _SENDER.match(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        sio.handlers[namespace]["session_request"] = session_request
        sio.handlers[namespace][self.user_message_evt] = guarded_handle_message
        return blueprint
