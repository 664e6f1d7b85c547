"""Viber ("viber"): a custom input channel for the Viber REST bot API
(assistant/channels/messengers/base.py).

credentials.yml:

    assistant.channels.ViberInput:
      auth_token: ${VIBER_AUTH_TOKEN}    # the bot's token (Viber admin panel); empty = channel off
      name: "Bank"                       # sender name shown on the bot's messages

Incoming: `POST /webhooks/viber/webhook`, refused (401) unless `X-Viber-Content-Signature` is
the hex HMAC-SHA256 of the raw body keyed with the auth token; events older than
`max_age_seconds` (their `timestamp`, ms) are refused (403); one `message_token` is handled
once. Handled events: `message` (text, button replies, contact, anything else answered
politely), `conversation_started` (its `context` is the deep-link parameter, `user.language`
kept). Outgoing: `POST {api_base}/pa/send_message` with `X-Viber-Auth-Token`; texts split at
7,000 characters, buttons as a reply keyboard, images as `picture`, documents and links as `url`.
"""

from __future__ import annotations

from typing import Any

from sanic.request import Request

from assistant.channels.auth import usable_secret
from assistant.channels.messengers.base import (
    Incoming,
    MessengerInput,
    MessengerOutput,
    Refused,
    check_fresh,
    hmac_sha256_hex,
    same,
)

SIGNATURE_HEADER = "X-Viber-Content-Signature"


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
            max_age_seconds=credentials.get("max_age_seconds", 3600),
        )

    def __init__(
        self,
        auth_token: str | None = None,
        bot_name: str = "Bank",
        api_base: str | None = None,
        max_age_seconds: float = 3600,
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

    def updates(self, payload: Any) -> list[Incoming]:
        if not isinstance(payload, dict):
            return []
        event = payload.get("event")
        timestamp = payload.get("timestamp")
        if isinstance(timestamp, (int, float)):
            check_fresh(timestamp / 1000, self.max_age_seconds)
        token = payload.get("message_token")
        key = f"{event}:{token}" if token is not None else None
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
                )
            ]
        if event != "message":
            return []  # webhook check, subscribed, delivered, seen, failed: nothing to answer
        sender = payload.get("sender") or {}
        message = payload.get("message") or {}
        if not sender.get("id") or not isinstance(message, dict):
            return []
        base = {"update_id": key, "language": sender.get("language")}
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
