"""Viber ("viber"): a custom input channel for the Viber REST bot API
(assistant/channels/messengers/base.py).

credentials.yml:

    assistant.channels.ViberInput:
      auth_token: ${VIBER_AUTH_TOKEN}    # the bot's token (Viber admin panel); empty = channel off
      name: "Bank"                       # sender name shown on the bot's messages

Incoming: `POST /webhooks/viber/webhook`, refused (401) unless `X-Viber-Content-Signature` is
the hex HMAC-SHA256 of the raw body keyed with the auth token; events older than
`max_age_seconds` (a week; their `timestamp`, ms) are refused (403); one `message_token` is
handled once. Handled events: `message` (text, button replies, contact, anything else answered
politely), `conversation_started` (its `context` is the deep-link parameter, `user.language`
kept), `delivered` / `seen` / `failed` (the outbox's statuses), `unsubscribed` / `subscribed`
(no proactive message is tried while unsubscribed).

First contact: a user who opens the chat has not subscribed yet, and Viber refuses
`send_message` to them (`status: 6`, receiverNotSubscribed). The only message a bot may send
then is the *welcome message*: the JSON body of the answer to the `conversation_started`
callback. So that turn's answers (the greeting, an invitation's welcome bonus) are collected and
returned as that body, joined into one message (the last keyboard kept).

Outgoing: `POST {api_base}/pa/send_message` with `X-Viber-Auth-Token`; texts split at 7,000
characters, buttons as a reply keyboard, images as `picture`, documents and links as `url`.
Viber reports send errors inside an HTTP 200 (`status` ≠ 0): 5, 6 and 11 (not registered, not
subscribed, no suitable device) mean the user cannot be reached; 12 is "too many requests".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sanic.request import Request

from assistant.channels.auth import usable_secret
from assistant.channels.messengers.base import (
    Incoming,
    MessengerInput,
    MessengerOutput,
    Refused,
    SendError,
    check_fresh,
    hmac_sha256_hex,
    retry_after_header,
    same,
)
from assistant.channels.messengers.store import DEFAULT_MAX_AGE_SECONDS

SIGNATURE_HEADER = "X-Viber-Content-Signature"
UNREACHABLE = {5, 6, 11}  # receiverNotRegistered, receiverNotSubscribed, receiverNoSuitableDevice
TOO_MANY_REQUESTS = 12
STATUS_EVENTS = {"delivered": "delivered", "seen": "read", "failed": "failed"}


class ViberOutput(MessengerOutput):
    text_limit = 7000

    @classmethod
    def name(cls) -> str:
        return "viber"

    def _message(self, to: str, kind: str, **fields: Any) -> dict[str, Any]:
        assert isinstance(self.channel, ViberInput)
        return {
            "receiver": to,
            "min_api_version": 3,
            "sender": {"name": self.channel.bot_name},
            "type": kind,
            **fields,
        }

    async def text(self, to: str, text: str) -> None:
        await self.call("send_message", self._message(to, "text", text=text))

    async def text_with_buttons(self, to: str, text: str, buttons: list[dict[str, Any]]) -> None:
        keyboard_buttons = []
        for button in buttons:
            if button.get("url"):
                action = {"ActionType": "open-url", "ActionBody": button["url"]}
            else:
                action = {
                    "ActionType": "reply",
                    "ActionBody": str(button.get("payload") or button["title"]),
                }
            keyboard_buttons.append({**action, "Text": button["title"], "Columns": 6, "Rows": 1})
        keyboard = {"Type": "keyboard", "DefaultHeight": False, "Buttons": keyboard_buttons}
        await self.call("send_message", self._message(to, "text", text=text, keyboard=keyboard))

    async def image(self, to: str, url: str, caption: str | None = None) -> None:
        await self.call(
            "send_message", self._message(to, "picture", media=url, text=(caption or "")[:120])
        )

    async def document(self, to: str, url: str, name: str | None = None) -> None:
        await self.call("send_message", self._message(to, "url", media=url))

    async def ask_contact(self, to: str, text: str) -> None:
        keyboard = {
            "Type": "keyboard",
            "Buttons": [
                {
                    "ActionType": "share-phone",
                    "ActionBody": "phone",
                    "Text": "📱 Share my phone number",
                }
            ],
        }
        await self.call(
            "send_message",
            self._message(to, "text", text=text or "Your phone number?", keyboard=keyboard),
        )


class ViberInput(MessengerInput):
    sender_prefix = "vb-"
    default_api_base = "https://chatapi.viber.com"
    output_class = ViberOutput

    @classmethod
    def name(cls) -> str:
        return "viber"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ViberInput:
        credentials = credentials or {}
        return cls(
            auth_token=credentials.get("auth_token"),
            bot_name=credentials.get("name") or "Bank",
            api_base=credentials.get("api_base"),
            max_age_seconds=credentials.get("max_age_seconds", DEFAULT_MAX_AGE_SECONDS),
        )

    def __init__(
        self,
        auth_token: str | None = None,
        bot_name: str = "Bank",
        api_base: str | None = None,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
    ) -> None:
        super().__init__(api_base, max_age_seconds)
        self.auth_token = usable_secret(auth_token)
        self.bot_name = bot_name

    def enabled(self) -> bool:
        return bool(self.auth_token)

    def authenticate(self, request: Request) -> None:
        expected = hmac_sha256_hex(self.auth_token or "", request.body or b"")
        if not same(expected, request.headers.get(SIGNATURE_HEADER)):
            raise Refused(401, "missing or wrong signature")

    def api_call(self, method: str) -> tuple[str, dict[str, str], dict[str, str]]:
        return f"{self.api_base}/pa/{method}", {"X-Viber-Auth-Token": self.auth_token or ""}, {}

    def refusal(self, answer: httpx.Response, body: Any) -> SendError | None:
        if answer.status_code >= 300:
            return super().refusal(answer, body)
        status = body.get("status") if isinstance(body, dict) else None
        if status == 0:
            return None
        detail = f"status {status} {(body or {}).get('status_message', '')}".strip()
        if status in UNREACHABLE:
            return SendError("blocked", detail)
        if status == TOO_MANY_REQUESTS:
            return SendError("rate", detail, retry_after_header(answer))
        if not isinstance(status, int):
            return SendError("temporary", "no status in the answer")
        return SendError("permanent", detail)

    def sent_message_id(self, body: Any) -> str | None:
        token = body.get("message_token") if isinstance(body, dict) else None
        return str(token) if token is not None else None

    async def handle(
        self,
        incoming: Incoming,
        on_new_message: Callable[..., Awaitable],
        output: MessengerOutput | None = None,
    ) -> dict[str, Any] | None:
        if incoming.kind != "start":
            return await super().handle(incoming, on_new_message, output)
        welcome = ViberOutput(self, collect=True)
        await super().handle(incoming, on_new_message, welcome)
        return welcome_message(welcome.collected or [])

    def updates(self, payload: Any) -> list[Incoming]:
        if not isinstance(payload, dict):
            return []
        event = payload.get("event")
        timestamp = payload.get("timestamp")
        at = None
        if isinstance(timestamp, (int, float)):
            check_fresh(timestamp / 1000, self.max_age_seconds)
            at = timestamp / 1000
        token = payload.get("message_token")
        key = f"{event}:{token}" if token is not None else None
        if event in STATUS_EVENTS and token is not None:
            extra = {"message_ids": [str(token)], "status": STATUS_EVENTS[event],
                     "error": payload.get("desc")}
            return [Incoming(str(payload.get("user_id") or ""), "status", extra=extra)]
        if event in ("unsubscribed", "subscribed"):
            user_id = payload.get("user_id") or (payload.get("user") or {}).get("id")
            if not user_id:
                return []
            kind = "blocked" if event == "unsubscribed" else "unblocked"
            return [Incoming(str(user_id), kind, update_id=f"{event}:{user_id}:{timestamp}")]
        if event == "conversation_started":
            user = payload.get("user") or {}
            if not user.get("id"):
                return []
            return [
                Incoming(
                    str(user["id"]),
                    "start",
                    "/greet",
                    update_id=key,
                    language=user.get("language"),
                    start_param=payload.get("context") or None,
                    at=at,
                )
            ]
        if event != "message":
            return []  # webhook check, subscribed, delivered, seen, failed: nothing to answer
        sender = payload.get("sender") or {}
        message = payload.get("message") or {}
        if not sender.get("id") or not isinstance(message, dict):
            return []
        base = {"update_id": key, "language": sender.get("language"), "at": at}
        user_id = str(sender["id"])
        kind = message.get("type")
        if kind == "text" and isinstance(message.get("text"), str):
            return [Incoming(user_id, "text", message["text"], **base)]
        if kind == "contact":
            phone = str((message.get("contact") or {}).get("phone_number") or "")
            if phone and not phone.startswith("+"):
                phone = "+" + phone
            return [Incoming(user_id, "contact", phone=phone or None, **base)]
        return [Incoming(user_id, "unsupported", **base)]


def welcome_message(calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """The answer body of a `conversation_started` callback: the turn's messages as one
    welcome message (Viber sends only one), or None when the turn said nothing."""
    messages = [payload for method, payload in calls if method == "send_message"]
    if not messages:
        return None
    texts = [str(m.get("text") or "") for m in messages if m.get("type") == "text"]
    welcome = {k: v for k, v in messages[0].items() if k not in ("receiver", "keyboard")}
    welcome.update(type="text", text="\n\n".join(t for t in texts if t)[:7000])
    welcome.pop("media", None)
    keyboards = [m["keyboard"] for m in messages if m.get("keyboard")]
    if keyboards:
        welcome["keyboard"] = keyboards[-1]
    return welcome
