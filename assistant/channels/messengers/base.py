"""What the four messenger channels share: verified webhooks in, each platform's send API out.

A messenger channel (`MessengerInput` subclass) does four things and nothing else:
1. `authenticate(request)`: refuses (401/403) a request the platform did not sign;
2. `updates(request)`: reads the platform's documented payload into `Incoming` items (text,
   button press, shared contact, start of a conversation with a deep-link parameter, or
   something the bot cannot read: sticker, voice, location, file);
3. hands each new item to the channel guard exactly once (platforms retry: `SeenIds`);
4. answers through its `OutputChannel`, which renders text, buttons, images, documents and links
   natively and splits long texts at the platform's limit. Proactive messages (Rasa's
   `trigger_intent` with `output_channel=latest`) reach the same output through
   `get_output_channel()`.

The conversation key in Rasa is the platform's user id behind the channel's `sender_prefix`
(`tg-`, `vb-`, `wa-`, `fb-`), so no channel (REST included) can name another's conversation;
the bank knows the chat as `<channel>:<key>` (actions/common/conversation.py `identity`).
The platform's API base URL is configurable (`api_base`) so the tests point it at a stand-in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from assistant.channels.guard import BadMessage, GuardedInputChannel, MessageGuard

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


class Refused(Exception):
    """The request did not come from the platform (signature, token, staleness)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class Incoming:
    """One thing a customer did, as the channel hands it on."""

    user_id: str
    kind: str  # "text" | "button" | "contact" | "start" | "unsupported"
    text: str = ""
    update_id: str | None = None  # the platform's id of this delivery (dedupe)
    language: str | None = None
    start_param: str | None = None
    phone: str | None = None  # a contact the user shared of their own account
    extra: dict[str, Any] = field(default_factory=dict)

    def metadata(self, channel: str) -> dict[str, Any]:
        meta: dict[str, Any] = {"channel": channel}
        if self.language:
            meta["language"] = self.language
        if self.start_param:
            meta["start_param"] = self.start_param
        if self.kind == "contact" and self.phone:
            meta["shared_contact"] = True
        return {**meta, **self.extra}


class SeenIds:
    """The last `size` update ids this process handled: a retried delivery is handled once.

    In memory, per Rasa process: with several Rasa replicas, route a messenger's webhook to one
    replica or accept that a retry landing on another replica is handled again
    (docs/security.md)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, update_id: str | None) -> bool:
        if update_id is None:
            return True
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def same(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def check_fresh(timestamp_seconds: float | None, max_age_seconds: float) -> None:
    """Refuse a delivery signed long ago (a replay of a captured request)."""
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

    def __init__(self, channel: MessengerInput) -> None:
        self.channel = channel

    @classmethod
    def name(cls) -> str:
        return "messenger"

    def platform_id(self, recipient_id: str) -> str:
        return recipient_id.removeprefix(self.channel.sender_prefix)

    async def call(self, method: str, payload: dict[str, Any]) -> None:
        """One call of the platform's send API (raises on a refusal)."""
        url, headers, params = self.channel.api_call(method)
        async with httpx.AsyncClient(timeout=SEND_TIMEOUT_SECONDS, trust_env=False) as client:
            answer = await client.post(url, json=payload, headers=headers, params=params)
        if answer.status_code >= 300:
            logger.warning("%s API %s answered %s", self.channel.name(), method, answer.status_code)
            raise RuntimeError(f"{self.channel.name()} API answered {answer.status_code}")

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

    def __init__(self, api_base: str | None = None, max_age_seconds: float = 3600.0) -> None:
        self.api_base = (api_base or self.default_api_base).rstrip("/")
        self.max_age_seconds = float(max_age_seconds)
        self.seen = SeenIds()

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

    async def handshake(self, request: Request) -> response.HTTPResponse:
        """GET on the webhook (WhatsApp/Messenger verify-token subscription)."""
        return response.json({"status": "ok"})

    async def after_update(self, incoming: Incoming) -> None:
        """Platform chores after handling an update (e.g. Telegram's answerCallbackQuery)."""

    # --- shared
    def get_output_channel(self) -> OutputChannel:
        return self.output_class(self)

    def blueprint(self, on_new_message: MessageGuard) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

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
            for incoming in items:
                if self.seen.first_time(incoming.update_id):
                    await self.handle(incoming, on_new_message)
            return response.json({"status": "ok"})

        return webhook

    async def handle(self, incoming: Incoming, on_new_message: Callable[..., Awaitable]) -> None:
        output = self.get_output_channel()
        assert isinstance(output, MessengerOutput)
        key = self.sender_prefix + incoming.user_id
        text = incoming.text
        if incoming.kind == "unsupported":
            await output.send_text_message(key, NOT_TEXT_ANSWER)
            return
        if incoming.kind == "contact":
            if not incoming.phone:
                await output.send_text_message(key, NOT_YOUR_CONTACT_ANSWER)
                return
            text = incoming.phone
        if incoming.kind == "start":
            # A deep link's parameter (an invitation or a partner campaign code) is its own
            # turn: actions/referrals/start.py reads it from the metadata of this verified turn.
            text = DEEP_LINK_START if incoming.start_param else (text or "/greet")
        message = UserMessage(
            text,
            output,
            incoming.user_id,  # the guard puts the channel's prefix before it
            input_channel=self.name(),
            metadata=incoming.metadata(self.name()),
        )
        try:
            await on_new_message(message)
        except BadMessage as exc:
            await output.send_text_message(key, f"Sorry, I could not read that message: {exc}")
        except Exception:
            logger.exception("%s: handling an update failed", self.name())
        await self.after_update(incoming)
