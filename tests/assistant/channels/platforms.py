"""Local stand-ins of the four messengers: their send APIs on loopback (every call captured) and
their webhook deliveries in the documented payload shapes, signed the way each platform signs.

Shapes: Telegram Bot API `Update` (core.telegram.org/bots/api#update), Viber REST bot API
callbacks (developers.viber.com/docs/api/rest-bot-api/#callbacks), WhatsApp Cloud API webhook
`messages` notifications (developers.facebook.com/docs/whatsapp/cloud-api/webhooks), Messenger
Platform `messages` / `messaging_postbacks` webhook events.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from assistant.channels import (
    FacebookGuardedInput,
    TelegramGuardedInput,
    ViberInput,
    WhatsAppInput,
)
from scripts.services import free_port

_ids = itertools.count(1000)


# What each platform answers when it refuses a send (their documented error answers):
# Telegram Bot API (core.telegram.org/bots/api#making-requests: `ok: false`, `error_code`,
# `description`, `parameters.retry_after`), Viber REST API (developers.viber.com/docs/api/
# rest-bot-api/#error-codes: HTTP 200 with a non-zero `status`), WhatsApp Cloud API and
# Messenger Platform (Graph API `error` objects with their codes).
REFUSALS: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {
    "telegram": {
        "rate": (429, {"ok": False, "error_code": 429,
                       "description": "Too Many Requests: retry after 1",
                       "parameters": {"retry_after": 1}}),
        "blocked": (403, {"ok": False, "error_code": 403,
                          "description": "Forbidden: bot was blocked by the user"}),
        "server": (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
    },
    "viber": {
        "rate": (200, {"status": 12, "status_message": "tooManyRequests"}),
        "blocked": (200, {"status": 6, "status_message": "notSubscribed"}),
        "server": (500, {}),
    },
    "whatsapp": {
        "rate": (400, {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException",
                                 "code": 130429, "fbtrace_id": "AbCdEf"}}),
        "blocked": (400, {"error": {"message": "(#131026) Message Undeliverable",
                                    "type": "OAuthException", "code": 131026,
                                    "fbtrace_id": "AbCdEf"}}),
        "window": (400, {"error": {
            "message": "(#131047) Re-engagement message", "type": "OAuthException",
            "code": 131047,
            "error_data": {"messaging_product": "whatsapp",
                           "details": "Message failed to send because more than 24 hours have "
                                      "passed since the customer last replied to this number."},
            "fbtrace_id": "AbCdEf"}}),
        "server": (500, {"error": {"message": "(#2) Service temporarily unavailable",
                                   "type": "OAuthException", "code": 2}}),
    },
    "facebook": {
        "rate": (400, {"error": {"message": "(#613) Calls to this api have exceeded the rate "
                                            "limit.", "type": "OAuthException", "code": 613}}),
        "blocked": (400, {"error": {"message": "(#551) This person isn't available right now.",
                                    "type": "OAuthException", "code": 551,
                                    "error_subcode": 1545041}}),
        "window": (400, {"error": {"message": "(#10) This message is sent outside of allowed "
                                              "window.", "type": "OAuthException", "code": 10,
                                   "error_subcode": 2018278}}),
        "server": (500, {"error": {"message": "An unexpected error has occurred.",
                                   "type": "OAuthException", "code": 2}}),
    },
}
SEND_PATHS = {"telegram": "/bot", "viber": "/pa/", "whatsapp": "/v17.0/1055/",
              "facebook": "/v17.0/me/"}


@dataclass
class Refusal:
    """The stand-in refuses matching sends `times` times (None: until cleared)."""

    platform: str
    kind: str
    to: str | None = None
    times: int | None = 1

    def matches(self, path: str, body: dict[str, Any]) -> bool:
        if not path.startswith(SEND_PATHS[self.platform]) or self.times == 0:
            return False
        if self.to is not None and recipient_of(self.platform, body) != self.to:
            return False
        if self.kind == "window":  # what the platform accepts outside the window passes
            return body.get("type") != "template" and body.get("messaging_type") != "MESSAGE_TAG"
        return True


def recipient_of(platform: str, body: dict[str, Any]) -> str:
    if platform == "telegram":
        return str(body.get("chat_id"))
    if platform == "viber":
        return str(body.get("receiver"))
    if platform == "whatsapp":
        return str(body.get("to"))
    return str((body.get("recipient") or {}).get("id"))


class StandInAPI:
    """A platform's HTTP API on 127.0.0.1: answers every POST like the platform does, and
    records (path, query, headers, json, status, accepted). On success it answers as the
    platform does on success; `refuse(...)` makes it answer with the platform's own error
    (rate limited, blocked by the user, outside the messaging window, server error)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.url = ""
        self.refusals: list[Refusal] = []
        self._runner: web.AppRunner | None = None

    def refuse(self, platform: str, kind: str, to: str | None = None,
               times: int | None = 1) -> Refusal:
        refusal = Refusal(platform, kind, to, times)
        self.refusals.append(refusal)
        return refusal

    def clear_refusals(self) -> None:
        self.refusals.clear()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = {
            "path": request.path,
            "query": dict(request.query),
            "headers": dict(request.headers),
            "json": body,
            "status": 200,
            "accepted": True,
        }
        self.calls.append(call)
        for refusal in self.refusals:
            if refusal.matches(request.path, body):
                if refusal.times is not None:
                    refusal.times -= 1
                status, answer = REFUSALS[refusal.platform][refusal.kind]
                call.update(status=status, accepted=False, refused=refusal.kind)
                return web.json_response(answer, status=status)
        if request.path.startswith("/bot"):
            if request.path.endswith(("/deleteMessage", "/editMessageReplyMarkup",
                                      "/answerCallbackQuery")):
                return web.json_response({"ok": True, "result": True})
            return web.json_response({"ok": True, "result": {"message_id": next(_ids)}})
        if request.path.startswith("/pa/"):
            return web.json_response(
                {"status": 0, "status_message": "ok", "message_token": next(_ids)}
            )
        if request.path.startswith("/v17.0/me/"):
            return web.json_response(
                {"recipient_id": recipient_of("facebook", body), "message_id": f"m_{next(_ids)}"}
            )
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [{"input": body.get("to"),
                                                            "wa_id": body.get("to")}],
             "messages": [{"id": f"wamid.{next(_ids)}"}]}
        )

    async def start(self) -> StandInAPI:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @classmethod
    @contextlib.contextmanager
    def in_thread(cls) -> Iterator[StandInAPI]:
        """The stand-in on its own event loop in a thread (for synchronous tests)."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        api = asyncio.run_coroutine_threadsafe(cls().start(), loop).result(30)
        try:
            yield api
        finally:
            asyncio.run_coroutine_threadsafe(api.stop(), loop).result(30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)


def hub_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Platform:
    """How one messenger delivers updates and how its send API is called."""

    name: str
    secret: str
    user: str = "42"
    credentials: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------- the channel
    def channel(self, api_base: str, **overrides: Any):
        classes = {
            "telegram": TelegramGuardedInput,
            "viber": ViberInput,
            "whatsapp": WhatsAppInput,
            "facebook": FacebookGuardedInput,
        }
        return classes[self.name].from_credentials(
            {**self.credentials, "api_base": api_base, **overrides}
        )

    @property
    def prefix(self) -> str:
        return {"telegram": "tg-", "viber": "vb-", "whatsapp": "wa-", "facebook": "fb-"}[self.name]

    @property
    def path(self) -> str:
        return f"/webhooks/{self.name}/webhook"

    # ------------------------------------------------------------- deliveries
    def sign(self, body: bytes, secret: str | None = None) -> dict[str, str]:
        secret = self.secret if secret is None else secret
        if self.name == "telegram":
            return {"X-Telegram-Bot-Api-Secret-Token": secret}
        if self.name == "viber":
            digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            return {"X-Viber-Content-Signature": digest}
        return {"X-Hub-Signature-256": hub_signature(secret, body)}

    def text_update(self, text: str, at: float | None = None, user: str | None = None) -> dict:
        return self.update({"text": text}, at, user)

    def update(self, content: dict[str, Any], at: float | None = None, user: str | None = None):
        """A message update carrying `content` ({"text": ...}, {"sticker": ...}, ...)."""
        user, at, uid = user or self.user, at or time.time(), next(_ids)
        if self.name == "telegram":
            message = {
                "message_id": uid,
                "date": int(at),
                "chat": {"id": int(user), "type": "private"},
                "from": {
                    "id": int(user),
                    "is_bot": False,
                    "first_name": "Anna",
                    "language_code": "uk",
                },
            }
            if "text" in content:
                message["text"] = content["text"]
            elif "contact" in content:
                message["contact"] = {
                    "phone_number": content["contact"],
                    "user_id": int(user),
                    "first_name": "Anna",
                }
            else:
                message.update(content)
            return {"update_id": uid, "message": message}
        if self.name == "viber":
            if "text" in content:
                message = {"type": "text", "text": content["text"]}
            elif "contact" in content:
                message = {
                    "type": "contact",
                    "contact": {"name": "Anna", "phone_number": content["contact"]},
                }
            else:
                message = {"type": "sticker", "sticker_id": 46105}
            return {
                "event": "message",
                "timestamp": int(at * 1000),
                "message_token": uid,
                "sender": {"id": user, "name": "Anna", "language": "uk", "api_version": 10},
                "message": message,
            }
        if self.name == "whatsapp":
            if "text" in content:
                message = {"type": "text", "text": {"body": content["text"]}}
            elif "button" in content:
                message = {
                    "type": "interactive",
                    "interactive": {
                        "type": "button_reply",
                        "button_reply": {"id": content["button"], "title": "Yes"},
                    },
                }
            else:
                message = {"type": "sticker", "sticker": {"id": "st1", "mime_type": "image/webp"}}
            message.update({"from": user, "id": f"wamid.{uid}", "timestamp": str(int(at))})
            value = {
                "messaging_product": "whatsapp",
                "metadata": {
                    "display_phone_number": "380440000000",
                    "phone_number_id": self.credentials["phone_number_id"],
                },
                "contacts": [{"profile": {"name": "Anna"}, "wa_id": user}],
                "messages": [message],
            }
            return {
                "object": "whatsapp_business_account",
                "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
            }
        # facebook
        if "text" in content:
            message = {"mid": f"m_{uid}", "text": content["text"]}
        elif "button" in content:
            message = {
                "mid": f"m_{uid}",
                "text": "Yes",
                "quick_reply": {"payload": content["button"]},
            }
        elif "contact" in content:
            message = {
                "mid": f"m_{uid}",
                "text": content["contact"],
                "quick_reply": {"payload": content["contact"]},
            }
        else:
            message = {
                "mid": f"m_{uid}",
                "attachments": [
                    {
                        "type": "image",
                        "payload": {
                            "url": "https://x.example/s.png",
                            "sticker_id": 369239263222822,
                        },
                    }
                ],
            }
        event = {
            "sender": {"id": user},
            "recipient": {"id": "PAGE"},
            "timestamp": int(at * 1000),
            "message": message,
        }
        return {
            "object": "page",
            "entry": [{"id": "PAGE", "time": int(at * 1000), "messaging": [event]}],
        }

    def start_update(self, param: str, user: str | None = None) -> dict:
        """The customer opens the bot through a deep link carrying `param`."""
        user, uid = user or self.user, next(_ids)
        if self.name == "telegram":
            return self.text_update(f"/start {param}", user=user)
        if self.name == "viber":
            return {
                "event": "conversation_started",
                "timestamp": int(time.time() * 1000),
                "message_token": uid,
                "type": "open",
                "context": param,
                "subscribed": False,
                "user": {"id": user, "name": "Anna", "language": "uk"},
            }
        if self.name == "whatsapp":  # wa.me/<number>?text=... arrives as the first text
            return self.text_update(f"start {param}", user=user)
        event = {
            "sender": {"id": user},
            "recipient": {"id": "PAGE"},
            "timestamp": int(time.time() * 1000),
            "postback": {
                "mid": f"pb_{uid}",
                "title": "Get Started",
                "payload": "GET_STARTED",
                "referral": {"ref": param, "source": "SHORTLINK", "type": "OPEN_THREAD"},
            },
        }
        return {"object": "page", "entry": [{"id": "PAGE", "time": 0, "messaging": [event]}]}

    def telegram_calls(self, api: StandInAPI, method: str) -> list[dict[str, Any]]:
        """The bodies of the Telegram API calls of one method (deleteMessage, ...)."""
        return [c["json"] for c in api.calls if c["path"].endswith(f"/{method}")]

    # ------------------------------------------------------------- what the bot sent
    def sent(self, api: StandInAPI, refused: bool = False) -> list[dict[str, Any]]:
        """Every message the platform accepted (with `refused`: every one it refused) as
        {"to", "kind", "text", "raw"}."""
        out = []
        mine = SEND_PATHS[self.name]
        for call in api.calls:
            if not call["path"].startswith(mine):
                continue  # another platform's call (the e2e stack shares one stand-in)
            if call.get("accepted", True) == refused:
                continue
            body = call["json"]
            if self.name == "telegram":
                method = call["path"].rsplit("/", 1)[1]
                if method in ("answerCallbackQuery", "deleteMessage", "editMessageReplyMarkup"):
                    continue
                out.append(
                    {
                        "to": str(body.get("chat_id")),
                        "kind": method,
                        "text": body.get("text") or body.get("caption") or "",
                        "raw": body,
                    }
                )
            elif self.name == "viber":
                out.append(
                    {
                        "to": body["receiver"],
                        "kind": body["type"],
                        "text": body.get("text", ""),
                        "raw": body,
                    }
                )
            elif self.name == "whatsapp":
                kind = body["type"]
                parameters = [
                    p.get("text", "")
                    for c in (body.get("template") or {}).get("components") or []
                    for p in c.get("parameters") or []
                ]
                text = (
                    (body.get("text") or {}).get("body")
                    or ((body.get("interactive") or {}).get("body") or {}).get("text")
                    or " ".join(parameters)
                    or ""
                )
                out.append({"to": body["to"], "kind": kind, "text": text, "raw": body})
            else:
                message = body["message"]
                out.append(
                    {
                        "to": body["recipient"]["id"],
                        "kind": "attachment" if "attachment" in message else "text",
                        "tag": body.get("tag"),
                        "text": message.get("text", ""),
                        "raw": body,
                    }
                )
        return out


PLATFORM_SECRETS = {
    "telegram": "tg-webhook-secret-0123456789",
    "viber": "viber-auth-token-0123456789ab",
    "whatsapp": "wa-app-secret-0123456789abcd",
    "facebook": "fb-app-secret-0123456789abcd",
}


def platforms() -> list[Platform]:
    return [
        Platform(
            "telegram",
            "tg-webhook-secret-0123456789",
            credentials={
                "access_token": "123:bot-token",
                "verify": "bank_bot",
                "secret_token": "tg-webhook-secret-0123456789",
            },
        ),
        Platform(
            "viber",
            "viber-auth-token-0123456789ab",
            user="01234567890A+b/c=",
            credentials={"auth_token": "viber-auth-token-0123456789ab", "name": "Bank"},
        ),
        Platform(
            "whatsapp",
            "wa-app-secret-0123456789abcd",
            user="380501112233",
            credentials={
                "access_token": "wa-access-token",
                "phone_number_id": "1055",
                "app_secret": "wa-app-secret-0123456789abcd",
                "verify_token": "wa-verify-token-0123456789",
            },
        ),
        Platform(
            "facebook",
            "fb-app-secret-0123456789abcd",
            user="6543210987654321",
            credentials={
                "page-access-token": "fb-page-token",
                "secret": "fb-app-secret-0123456789abcd",
                "verify": "fb-verify-token-0123456789",
            },
        ),
    ]


def body_of(update: dict) -> bytes:
    return json.dumps(update).encode()


# The e2e stack (tests/fixtures/assistant.py) enables every messenger with these settings.
MESSENGER_ENV = {
    "TELEGRAM_BOT_TOKEN": "123:bot-token",
    "TELEGRAM_BOT_NAME": "bank_bot",
    "TELEGRAM_WEBHOOK_SECRET": PLATFORM_SECRETS["telegram"],
    "VIBER_AUTH_TOKEN": PLATFORM_SECRETS["viber"],
    "WHATSAPP_ACCESS_TOKEN": "wa-access-token",
    "WHATSAPP_PHONE_NUMBER_ID": "1055",
    "WHATSAPP_APP_SECRET": PLATFORM_SECRETS["whatsapp"],
    "WHATSAPP_VERIFY_TOKEN": "wa-verify-token-0123456789",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "fb-page-token",
    "FACEBOOK_APP_SECRET": PLATFORM_SECRETS["facebook"],
    "FACEBOOK_VERIFY_TOKEN": "fb-verify-token-0123456789",
}


def credentials_with_api_base(text: str, api_base: str) -> str:
    """credentials.yml with every messenger's `api_base` pointed at the stand-in."""
    for name in ("TelegramGuardedInput", "ViberInput", "WhatsAppInput", "FacebookGuardedInput"):
        entry = f"assistant.channels.{name}:\n"
        assert entry in text, name
        text = text.replace(entry, f"{entry}  api_base: {api_base}\n")
    return text
