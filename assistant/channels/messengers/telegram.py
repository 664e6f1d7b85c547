"""Telegram ("telegram"): Rasa's connector, extended (assistant/channels/messengers/base.py).

credentials.yml:

    assistant.channels.TelegramGuardedInput:
      access_token: ${TELEGRAM_BOT_TOKEN}        # from @BotFather; empty = channel off
      verify: ${TELEGRAM_BOT_NAME}
      webhook_url: https://bank.example/webhooks/telegram/webhook
      secret_token: ${TELEGRAM_WEBHOOK_SECRET}   # given to setWebhook; checked on every update

What Rasa's own connector lacks and this one adds: the `X-Telegram-Bot-Api-Secret-Token`
check (constant time; 401 without it), retries of one `update_id` handled once (also after a
restart: store.py), updates older than `max_age_seconds` (a week) refused, private chats
only, shared contacts (own contact only), `/start <parameter>` deep links kept as metadata
`start_param`, `language_code` kept as metadata `language`, stickers/voice/location/files
answered politely, inline keyboards, photos,
documents, texts split at 4,096 characters, and an httpx client (no aiogram, configurable
`api_base` for the tests' stand-in). A pressed inline keyboard is removed
(`editMessageReplyMarkup`) before the press reaches Rasa, so it cannot be pressed again; a
customer's message that carried a secret is deleted (`deleteMessage`; bots may delete incoming
messages in private chats for 48 hours). Refusals: 429 with `parameters.retry_after`, 403
"bot was blocked by the user" (the customer blocked the bot: `my_chat_member` "kicked" says so
too, "member" again when unblocked).
"""

from __future__ import annotations

from typing import Any

import httpx
from rasa.core.channels.telegram import TelegramInput
from sanic.request import Request

from assistant.channels.auth import usable_secret
from assistant.channels.messengers.base import (
    Incoming,
    MessengerInput,
    MessengerOutput,
    Refused,
    SendError,
    check_fresh,
    retry_after_header,
    same,
)
from assistant.channels.messengers.store import DEFAULT_MAX_AGE_SECONDS

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UNSUPPORTED = (
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "location",
    "venue",
    "document",
    "photo",
    "animation",
    "poll",
    "dice",
)


class TelegramOutput(MessengerOutput):
    text_limit = 4096

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def text(self, to: str, text: str) -> None:
        await self.call("sendMessage", {"chat_id": to, "text": text})

    async def text_with_buttons(self, to: str, text: str, buttons: list[dict[str, Any]]) -> None:
        rows = []
        for button in buttons:
            if button.get("url"):
                rows.append([{"text": button["title"], "url": button["url"]}])
            else:
                data = str(button.get("payload") or button.get("title"))[:64]
                rows.append([{"text": button["title"], "callback_data": data}])
        payload = {"chat_id": to, "text": text, "reply_markup": {"inline_keyboard": rows}}
        await self.call("sendMessage", payload)

    async def image(self, to: str, url: str, caption: str | None = None) -> None:
        payload: dict[str, Any] = {"chat_id": to, "photo": url}
        if caption:
            payload["caption"] = caption[:1024]
        await self.call("sendPhoto", payload)

    async def document(self, to: str, url: str, name: str | None = None) -> None:
        payload: dict[str, Any] = {"chat_id": to, "document": url}
        if name:
            payload["caption"] = name
        await self.call("sendDocument", payload)

    async def ask_contact(self, to: str, text: str) -> None:
        keyboard = {
            "keyboard": [[{"text": "📱 Share my phone number", "request_contact": True}]],
            "one_time_keyboard": True,
            "resize_keyboard": True,
        }
        await self.call(
            "sendMessage",
            {"chat_id": to, "text": text or "Your phone number?", "reply_markup": keyboard},
        )


class TelegramGuardedInput(MessengerInput, TelegramInput):
    """Rasa's "telegram" channel behind the secret-token check and the channel guard."""

    sender_prefix = "tg-"
    default_api_base = "https://api.telegram.org"
    output_class = TelegramOutput

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramGuardedInput:
        credentials = credentials or {}
        return cls(
            access_token=credentials.get("access_token"),
            verify=credentials.get("verify"),
            webhook_url=credentials.get("webhook_url"),
            secret_token=credentials.get("secret_token"),
            api_base=credentials.get("api_base"),
            max_age_seconds=credentials.get("max_age_seconds", DEFAULT_MAX_AGE_SECONDS),
        )

    def __init__(
        self,
        access_token: str | None = None,
        verify: str | None = None,
        webhook_url: str | None = None,
        secret_token: str | None = None,
        api_base: str | None = None,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
    ) -> None:
        MessengerInput.__init__(self, api_base, max_age_seconds)
        self.access_token = (access_token or "").strip()
        self.verify = verify
        self.webhook_url = webhook_url
        self.debug_mode = False
        self.secret_token = usable_secret(secret_token)

    def enabled(self) -> bool:
        return bool(self.access_token and self.secret_token)

    def authenticate(self, request: Request) -> None:
        if not same(self.secret_token or "", request.headers.get(SECRET_HEADER)):
            raise Refused(401, "missing or wrong secret token")

    def api_call(self, method: str) -> tuple[str, dict[str, str], dict[str, str]]:
        return f"{self.api_base}/bot{self.access_token}/{method}", {}, {}

    def refusal(self, answer: httpx.Response, body: Any) -> SendError | None:
        body = body if isinstance(body, dict) else {}
        if answer.status_code < 300 and body.get("ok", True):
            return None
        code = int(body.get("error_code") or answer.status_code)
        description = str(body.get("description") or code)
        if code == 429:
            retry = (body.get("parameters") or {}).get("retry_after")
            return SendError("rate", description,
                             float(retry) if retry is not None else retry_after_header(answer))
        if code == 403:  # blocked by the user, user deactivated, can't initiate conversation
            return SendError("blocked", description)
        if code >= 500:
            return SendError("temporary", description, retry_after_header(answer))
        return SendError("permanent", description)

    def sent_message_id(self, body: Any) -> str | None:
        result = body.get("result") if isinstance(body, dict) else None
        if isinstance(result, dict) and result.get("message_id") is not None:
            return str(result["message_id"])
        return None

    async def before_turn(self, incoming: Incoming) -> None:
        if incoming.button_ref:  # the keyboard that was pressed goes: no second press
            chat_id, message_id = incoming.button_ref
            await self.send(
                "editMessageReplyMarkup",
                {"chat_id": chat_id, "message_id": message_id,
                 "reply_markup": {"inline_keyboard": []}},
            )

    async def delete_customer_message(self, incoming: Incoming) -> bool:
        if incoming.message_ref is None:
            return False
        await self.send(
            "deleteMessage", {"chat_id": incoming.user_id, "message_id": incoming.message_ref}
        )
        return True

    def updates(self, payload: Any) -> list[Incoming]:
        if not isinstance(payload, dict):
            return []
        update_id = payload.get("update_id")
        key = f"update:{update_id}" if update_id is not None else None
        if isinstance(payload.get("my_chat_member"), dict):
            member = payload["my_chat_member"]
            chat = member.get("chat") or {}
            status = (member.get("new_chat_member") or {}).get("status")
            if chat.get("type") != "private" or not chat.get("id"):
                return []
            if status in ("kicked", "member"):
                kind = "blocked" if status == "kicked" else "unblocked"
                return [Incoming(str(chat["id"]), kind, update_id=key)]
            return []
        if isinstance(payload.get("callback_query"), dict):
            query = payload["callback_query"]
            pressed = query.get("message") or {}
            chat = pressed.get("chat") or {}
            user = query.get("from") or {}
            if chat.get("type", "private") != "private" or not user.get("id"):
                return []
            ref = None
            if chat.get("id") is not None and pressed.get("message_id") is not None:
                ref = (chat["id"], pressed["message_id"])
            return [
                Incoming(
                    str(user["id"]),
                    "button",
                    str(query.get("data") or ""),
                    update_id=key,
                    language=user.get("language_code"),
                    extra={"callback_query_id": query.get("id")},
                    button_ref=ref,
                )
            ]
        message = payload.get("message")
        if not isinstance(message, dict):
            return []  # edited messages, channel posts, member updates: nothing to answer
        chat, user = message.get("chat") or {}, message.get("from") or {}
        if chat.get("type") != "private" or not user.get("id") or user.get("is_bot"):
            return []  # a bank conversation is never held in a group
        check_fresh(message.get("date"), self.max_age_seconds)
        date = message.get("date")
        base = {
            "update_id": key,
            "language": user.get("language_code"),
            "at": float(date) if isinstance(date, (int, float)) else None,
            "message_ref": message.get("message_id"),
        }
        user_id = str(user["id"])
        if isinstance(message.get("contact"), dict):
            contact = message["contact"]
            own = str(contact.get("user_id")) == user_id
            phone = str(contact.get("phone_number") or "") if own else None
            if phone and not phone.startswith("+"):
                phone = "+" + phone
            return [Incoming(user_id, "contact", phone=phone, **base)]
        text = message.get("text")
        if isinstance(text, str):
            if text == "/start" or text.startswith("/start "):
                param = text[len("/start") :].strip() or None
                return [Incoming(user_id, "start", "/greet", start_param=param, **base)]
            return [Incoming(user_id, "text", text, **base)]
        return [Incoming(user_id, "unsupported", **base)]

    async def after_update(self, incoming: Incoming) -> None:
        query_id = incoming.extra.get("callback_query_id")
        if query_id:
            try:
                await self.send("answerCallbackQuery", {"callback_query_id": query_id})
            except Exception:  # only stops the button's spinner; never fails the update
                pass
