"""What the four messenger channels share: verified webhooks in, each platform's send API out.

A messenger channel (`MessengerInput` subclass) does four things and nothing else:
1. `authenticate(request)`: refuses (401/403) a request the platform did not sign;
2. `updates(request)`: reads the platform's documented payload into `Incoming` items (text,
   button press, shared contact, start of a conversation with a deep-link parameter, or
   something the bot cannot read: sticker, voice, location, file);
3. hands each new item to the channel guard exactly once (platforms retry: `store.SeenIds`,
   kept in the assistant database);
4. answers through its `OutputChannel`, which renders text, buttons, images, documents and links
   natively and splits long texts at the platform's limit. Every send is checked the way the
   platform reports failures (Viber inside an HTTP 200) and a refusal raises `SendError`
   (rate limited with its retry-after, blocked by the user, outside the messaging window,
   temporary or permanent). Proactive messages (Rasa's `trigger_intent` with
   `output_channel=latest`) reach `get_output_channel()`, which is the outbox
   (`outbox.py`): stored first, then sent by a worker with retries, exactly once.

Status updates (delivered, read, failed), "the user blocked the bot" and things nobody needs to
answer (a reaction, a "number changed" notice) are items of their own kinds: they update the
outbox and the contact, and reach neither Rasa nor the customer.

The conversation key in Rasa is the platform's user id behind the channel's `sender_prefix`
(`tg-`, `vb-`, `wa-`, `fb-`), so no channel (REST included) can name another's conversation;
the bank knows the chat as `<channel>:<key>` (actions/common/conversation.py `identity`).
The platform's API base URL is configurable (`api_base`) so the tests point it at a stand-in.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from assistant.channels.guard import (
    BadMessage,
    GuardedInputChannel,
    MessageGuard,
    strip_control_characters,
)
from assistant.channels.messengers import store
from assistant.channels.protect import ascii_digits

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
DEEP_LINK_START = "/deep_link_start"  # the intent of a start with a deep-link parameter
SEND_TIMEOUT_SECONDS = 10.0

NOT_TEXT_ANSWER = (
    "Sorry, I can only read text messages here. Please type what you need, or tap a button."
)
NOT_YOUR_CONTACT_ANSWER = (
    "That contact is not your own number. Please share your own contact, or type your number."
)
SECRET_DELETED_ANSWER = (
    "I deleted your message from this chat because it contained a card number, a code, a "
    "password or a passport number: that way it is not left in the chat history. I have read it."
)


class SendError(Exception):
    """A platform refused a send. `kind`: "rate" (slow down; `retry_after` seconds),
    "blocked" (the user blocked the bot or is unreachable for good), "window" (outside the
    messaging window: a template or a tag is needed), "temporary" (5xx, network) or
    "permanent" (the request itself was refused)."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail[:180]
        self.retry_after = retry_after


def retry_after_header(answer: httpx.Response) -> float | None:
    value = answer.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


class Refused(Exception):
    """The request did not come from the platform (signature, token, staleness)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class Incoming:
    """One thing a customer did, as the channel hands it on."""

    user_id: str
    # "text" | "button" | "contact" | "start" | "unsupported": a turn for Rasa;
    # "status" (extra: message_id, status), "blocked", "unblocked", "ignored": no turn, no answer
    kind: str
    text: str = ""
    update_id: str | None = None  # the platform's id of this delivery (dedupe)
    language: str | None = None
    start_param: str | None = None
    phone: str | None = None  # a contact the user shared of their own account
    extra: dict[str, Any] = field(default_factory=dict)
    at: float | None = None  # when the customer did it (unix seconds), if the platform says
    message_ref: Any = None  # the platform's id of the customer's message (to delete it)
    button_ref: Any = None  # the platform's id of the message whose button was pressed

    @property
    def is_turn(self) -> bool:
        return self.kind in ("text", "button", "contact", "start", "unsupported")

    def metadata(self, channel: str) -> dict[str, Any]:
        meta: dict[str, Any] = {"channel": channel}
        if self.language:
            meta["language"] = self.language
        if self.start_param:
            meta["start_param"] = self.start_param
        if self.kind == "contact" and self.phone:
            meta["shared_contact"] = True
        return {**meta, **self.extra}


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def same(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def check_fresh(timestamp_seconds: float | None, max_age_seconds: float) -> None:
    """Refuse a delivery older than the seen-id store remembers (`store.SeenIds`): a replay of
    a captured request. Younger redeliveries are accepted and handled once (platforms retry
    for hours or days after an outage)."""
    if timestamp_seconds is None:
        return
    if abs(time.time() - timestamp_seconds) > max_age_seconds:
        raise Refused(403, "stale delivery")


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a line break, else a space."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


class MessengerOutput(OutputChannel):
    """Sends through a platform's HTTP API; subclasses say how each kind of message looks."""

    text_limit = 4096

    def __init__(self, channel: MessengerInput, collect: bool = False) -> None:
        self.channel = channel
        # When collecting, calls are recorded instead of sent (the outbox renders a message
        # this way, then sends the calls itself; Viber's welcome goes in the webhook answer).
        self.collected: list[tuple[str, dict[str, Any]]] | None = [] if collect else None

    @classmethod
    def name(cls) -> str:
        return "messenger"

    def platform_id(self, recipient_id: str) -> str:
        return recipient_id.removeprefix(self.channel.sender_prefix)

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One call of the platform's send API: its answer, or SendError."""
        if self.collected is not None:
            self.collected.append((method, payload))
            return {}
        return await self.channel.send(method, payload)

    # Each platform implements these.
    async def text(self, to: str, text: str) -> None:
        raise NotImplementedError

    async def text_with_buttons(self, to: str, text: str, buttons: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    async def image(self, to: str, url: str, caption: str | None = None) -> None:
        raise NotImplementedError

    async def document(self, to: str, url: str, name: str | None = None) -> None:
        raise NotImplementedError

    async def ask_contact(self, to: str, text: str) -> None:
        await self.text(to, text)

    # Rasa's OutputChannel interface.
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        to = self.platform_id(recipient_id)
        for piece in split_text(text, self.text_limit):
            await self.text(to, piece)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        to = self.platform_id(recipient_id)
        *head, last = split_text(text, self.text_limit)
        for piece in head:
            await self.text(to, piece)
        await self.text_with_buttons(to, last, buttons)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.image(self.platform_id(recipient_id), image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        to = self.platform_id(recipient_id)
        if isinstance(attachment, dict) and attachment.get("url"):
            await self.document(to, attachment["url"], attachment.get("name"))
        else:
            await self.text(to, str(attachment))  # a link: the platforms preview it

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        to = self.platform_id(recipient_id)
        if json_message.get("request_contact"):
            await self.ask_contact(to, str(json_message.get("text") or ""))
        elif json_message.get("document"):
            await self.document(to, json_message["document"], json_message.get("filename"))
        elif json_message.get("text"):
            await self.send_text_message(recipient_id, str(json_message["text"]))


class MessengerInput(GuardedInputChannel):
    """A messenger's webhook (`/webhooks/<name>/webhook`) behind signature checks and the guard."""

    default_api_base = ""
    output_class: type[MessengerOutput] = MessengerOutput
    has_messaging_window = False  # WhatsApp and Messenger: 24 h after the customer last wrote

    def __init__(
        self, api_base: str | None = None, max_age_seconds: float = store.DEFAULT_MAX_AGE_SECONDS
    ) -> None:
        self.api_base = (api_base or self.default_api_base).rstrip("/")
        self.max_age_seconds = float(max_age_seconds)
        self.seen = store.SeenIds(self.name(), self.max_age_seconds)
        self._outbox: Any = None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> MessengerInput:
        raise NotImplementedError

    # --- what each platform provides
    def enabled(self) -> bool:
        raise NotImplementedError

    def authenticate(self, request: Request) -> None:
        """Raises Refused unless the platform signed this request."""
        raise NotImplementedError

    def updates(self, payload: Any) -> list[Incoming]:
        raise NotImplementedError

    def api_call(self, method: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """(url, headers, query parameters) of a send-API method."""
        raise NotImplementedError

    def refusal(self, answer: httpx.Response, body: Any) -> SendError | None:
        """None when the platform accepted the send, else what kind of refusal it is."""
        if answer.status_code == 429:
            return SendError("rate", "429", retry_after_header(answer))
        if answer.status_code >= 500:
            return SendError("temporary", str(answer.status_code), retry_after_header(answer))
        if answer.status_code >= 300:
            return SendError("permanent", str(answer.status_code))
        return None

    def sent_message_id(self, body: Any) -> str | None:
        """The platform's id of the message just sent (status webhooks name it)."""
        return None

    async def send(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One call of the platform's send API: the JSON answer, or SendError."""
        url, headers, params = self.api_call(method)
        try:
            async with httpx.AsyncClient(timeout=SEND_TIMEOUT_SECONDS, trust_env=False) as client:
                answer = await client.post(url, json=payload, headers=headers, params=params)
        except httpx.HTTPError as exc:
            raise SendError("temporary", type(exc).__name__) from exc
        try:
            body = answer.json()
        except ValueError:
            body = None
        problem = self.refusal(answer, body)
        if problem is not None:
            logger.warning("%s API %s refused: %s", self.name(), method, problem)
            raise problem
        return body if isinstance(body, dict) else {}

    async def proactive_calls(
        self, recipient: str, message: dict[str, Any], closed: bool, language: str
    ) -> tuple[list[tuple[str, dict[str, Any]]] | None, str]:
        """The send-API calls of a proactive message and how it goes ("free", a template, a
        tag); (None, reason) when it may not be sent (outside the window, nothing allowed)."""
        output = self.output_class(self, collect=True)
        await output.send_response(self.sender_prefix + recipient, message)
        return output.collected or [], "free"

    async def before_turn(self, incoming: Incoming) -> None:
        """Platform chores before a turn reaches Rasa (Telegram: remove a pressed keyboard)."""

    async def delete_customer_message(self, incoming: Incoming) -> bool:
        """Delete the customer's message from the chat where the platform lets a bot do it
        (only Telegram: docs/security.md); True when deleted."""
        return False

    async def handshake(self, request: Request) -> response.HTTPResponse:
        """GET on the webhook (WhatsApp/Messenger verify-token subscription)."""
        return response.json({"status": "ok"})

    async def after_update(self, incoming: Incoming) -> None:
        """Platform chores after handling an update (e.g. Telegram's answerCallbackQuery)."""

    # --- shared
    def get_output_channel(self) -> OutputChannel:
        """Rasa's output for messages nobody asked for this turn (`trigger_intent`): the outbox."""
        return self.outbox().output()

    def outbox(self) -> Any:
        if self._outbox is None:
            from assistant.channels.messengers.outbox import Outbox

            self._outbox = Outbox(self)
        return self._outbox

    def reply_output(self) -> MessengerOutput:
        return self.output_class(self)

    def blueprint(self, on_new_message: MessageGuard) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.listener("after_server_start")
        async def start_outbox(_app: Any, _loop: Any) -> None:
            if self.enabled():  # sends what an earlier process stored and could not send
                self.outbox().start()

        @webhook.listener("before_server_stop")
        async def stop_outbox(_app: Any, _loop: Any) -> None:
            if self._outbox is not None:
                await self._outbox.stop()

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok" if self.enabled() else "off"})

        @webhook.route("/webhook", methods=["GET"])
        async def handshake(request: Request) -> response.HTTPResponse:
            if not self.enabled():
                return response.json({"error": "channel off"}, status=403)
            return await self.handshake(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            if not self.enabled():
                return response.json({"error": "channel off"}, status=403)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "too large"}, status=413)
            try:
                self.authenticate(request)
                payload = request.json
            except Refused as exc:
                logger.warning("%s webhook refused: %s", self.name(), exc)
                return response.json({"error": "unauthorized"}, status=exc.status)
            except Exception:
                return response.json({"error": "not JSON"}, status=400)
            try:
                items = self.updates(payload)
            except Refused as exc:
                logger.warning("%s webhook refused: %s", self.name(), exc)
                return response.json({"error": "unauthorized"}, status=exc.status)
            except (AttributeError, TypeError, KeyError, ValueError, IndexError) as exc:
                # Signed, JSON, but not an update of the platform's shape (a field of the wrong
                # type): a clear 400, nothing processed, the body not logged (bench_fuzz.py).
                logger.warning("%s webhook: malformed update (%s)", self.name(),
                               type(exc).__name__)
                return response.json({"error": "malformed update"}, status=400)
            answer: dict[str, Any] | None = None
            for incoming in items:
                first = await asyncio.to_thread(self.seen.first_time, incoming.update_id)
                if first:
                    answer = await self.handle(incoming, on_new_message) or answer
            return response.json(answer or {"status": "ok"})

        return webhook

    async def handle(
        self,
        incoming: Incoming,
        on_new_message: Callable[..., Awaitable],
        output: MessengerOutput | None = None,
    ) -> dict[str, Any] | None:
        """One item: a turn handed to Rasa (answers through `output`), or a status/contact
        change recorded. Returns a body for the webhook's answer (Viber's welcome), if any."""
        if not incoming.is_turn:
            await self.record(incoming)
            return None
        at = datetime.fromtimestamp(incoming.at or time.time(), timezone.utc)
        try:
            await asyncio.to_thread(
                store.touch_contact, self.name(), incoming.user_id, at, incoming.language
            )
        except Exception:  # the window record is best effort; the customer is still answered
            logger.exception("%s: could not record the contact", self.name())
        output = output or self.reply_output()
        key = self.sender_prefix + incoming.user_id
        text = incoming.text
        if incoming.kind == "unsupported":
            await self._quietly(output.send_text_message(key, NOT_TEXT_ANSWER))
            return None
        if incoming.kind == "contact":
            if not incoming.phone:
                await self._quietly(output.send_text_message(key, NOT_YOUR_CONTACT_ANSWER))
                return None
            text = incoming.phone
        if incoming.kind == "start":
            # A deep link's parameter (an invitation or a partner campaign code) is its own
            # turn: actions/referrals/start.py reads it from the metadata of this verified turn.
            text = DEEP_LINK_START if incoming.start_param else (text or "/greet")
        if incoming.kind == "button":
            await self._quietly(self.before_turn(incoming))
        message = UserMessage(
            text,
            output,
            incoming.user_id,  # the guard puts the channel's prefix before it
            input_channel=self.name(),
            metadata=incoming.metadata(self.name()),
        )
        try:
            if isinstance(on_new_message, MessageGuard):
                admitted = await on_new_message.admit(message)
                if admitted is not None:
                    said = ascii_digits(strip_control_characters(text).strip())
                    if incoming.kind == "text" and admitted.text != said:
                        await self._forget_secret(incoming, output, key)
                    await on_new_message(admitted)
            else:
                await on_new_message(message)
        except BadMessage as exc:
            await self._quietly(
                output.send_text_message(key, f"Sorry, I could not read that message: {exc}")
            )
        except Exception:
            logger.exception("%s: handling an update failed", self.name())
        await self.after_update(incoming)
        return None

    async def _forget_secret(self, incoming: Incoming, output: MessengerOutput, key: str) -> None:
        """The message carried a secret (the guard replaced it): delete it from the chat where
        the platform allows, and say why."""
        if await self._quietly(self.delete_customer_message(incoming)):
            await self._quietly(output.send_text_message(key, SECRET_DELETED_ANSWER))

    async def _quietly(self, work: Awaitable[Any]) -> Any:
        try:
            return await work
        except SendError as exc:
            logger.warning("%s: a send failed (%s)", self.name(), exc.kind)
            return None

    async def record(self, incoming: Incoming) -> None:
        """A status update or a contact change: the outbox and the contact table learn it."""
        try:
            if incoming.kind == "status":
                await self.outbox().status_update(incoming)
            elif incoming.kind in ("blocked", "unblocked"):
                await asyncio.to_thread(
                    store.set_blocked, self.name(), incoming.user_id, incoming.kind == "blocked"
                )
        except Exception:
            logger.exception("%s: could not record a %s update", self.name(), incoming.kind)
