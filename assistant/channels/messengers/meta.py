"""WhatsApp Cloud API ("whatsapp") and Facebook Messenger ("facebook"): Meta's webhooks.

Both platforms sign every delivery with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the
raw body keyed with the app secret>` (401 when missing or wrong) and subscribe a webhook with a
GET handshake (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`: the challenge is
echoed only when the verify token matches, else 403). Messages older than `max_age_seconds`
are refused (403); one message id is handled once.

credentials.yml:

    assistant.channels.WhatsAppInput:
      access_token: ${WHATSAPP_ACCESS_TOKEN}        # empty = channel off
      phone_number_id: ${WHATSAPP_PHONE_NUMBER_ID}
      app_secret: ${WHATSAPP_APP_SECRET}
      verify_token: ${WHATSAPP_VERIFY_TOKEN}

    assistant.channels.FacebookGuardedInput:       # Rasa's "facebook" connector, extended
      page-access-token: ${FACEBOOK_PAGE_ACCESS_TOKEN}
      secret: ${FACEBOOK_APP_SECRET}
      verify: ${FACEBOOK_VERIFY_TOKEN}

WhatsApp: texts split at 4,096 characters; up to 3 buttons as reply buttons (titles cut to 20
characters), more as a list message (up to 10 rows); images and documents by link. The sender
is the customer's WhatsApp number (`wa_id`), verified by WhatsApp.
Messenger: texts split at 2,000 characters; buttons as quick replies (up to 13); images and
files as attachments by URL; `ref` of m.me links and postbacks kept as `start_param`.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.facebook import FacebookInput
from sanic import response
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

SIGNATURE_HEADER = "X-Hub-Signature-256"
GRAPH_API = "https://graph.facebook.com"
GRAPH_VERSION = "v17.0"


class MetaWebhook(MessengerInput):
    """The signature and the subscription handshake both Meta platforms use."""

    app_secret: str | None = None
    verify_token: str | None = None

    def authenticate(self, request: Request) -> None:
        expected = "sha256=" + hmac_sha256_hex(self.app_secret or "", request.body or b"")
        if not same(expected, request.headers.get(SIGNATURE_HEADER)):
            raise Refused(401, "missing or wrong signature")

    async def handshake(self, request: Request) -> response.HTTPResponse:
        args = request.args
        if args.get("hub.mode") == "subscribe" and same(
            self.verify_token or "", args.get("hub.verify_token")
        ):
            return response.text(str(args.get("hub.challenge") or ""))
        return response.json({"error": "wrong verify token"}, status=403)


# --------------------------------------------------------------------------- WhatsApp


class WhatsAppOutput(MessengerOutput):
    text_limit = 4096

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def _message(self, to: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind,
            kind: body,
        }

    async def text(self, to: str, text: str) -> None:
        await self.call("messages", self._message(to, "text", {"body": text, "preview_url": True}))

    async def text_with_buttons(self, to: str, text: str, buttons: list[dict[str, Any]]) -> None:
        def reply_id(button: dict[str, Any]) -> str:
            return str(button.get("payload") or button.get("url") or button["title"])[:256]

        if len(buttons) <= 3:
            action = {
                "buttons": [
                    {"type": "reply", "reply": {"id": reply_id(b), "title": b["title"][:20]}}
                    for b in buttons
                ]
            }
            interactive = {"type": "button", "body": {"text": text[:1024]}, "action": action}
        else:
            rows = [{"id": reply_id(b), "title": b["title"][:24]} for b in buttons[:10]]
            interactive = {
                "type": "list",
                "body": {"text": text[:4096]},
                "action": {"button": "Choose", "sections": [{"title": "Options", "rows": rows}]},
            }
        await self.call("messages", self._message(to, "interactive", interactive))

    async def image(self, to: str, url: str, caption: str | None = None) -> None:
        body = {"link": url, **({"caption": caption} if caption else {})}
        await self.call("messages", self._message(to, "image", body))

    async def document(self, to: str, url: str, name: str | None = None) -> None:
        body = {"link": url, **({"filename": name} if name else {})}
        await self.call("messages", self._message(to, "document", body))


class WhatsAppInput(MetaWebhook):
    sender_prefix = "wa-"
    default_api_base = GRAPH_API
    output_class = WhatsAppOutput

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        credentials = credentials or {}
        return cls(
            access_token=credentials.get("access_token"),
            phone_number_id=credentials.get("phone_number_id"),
            app_secret=credentials.get("app_secret"),
            verify_token=credentials.get("verify_token"),
            api_base=credentials.get("api_base"),
            max_age_seconds=credentials.get("max_age_seconds", 3600),
        )

    def __init__(
        self,
        access_token: str | None = None,
        phone_number_id: str | None = None,
        app_secret: str | None = None,
        verify_token: str | None = None,
        api_base: str | None = None,
        max_age_seconds: float = 3600,
    ) -> None:
        super().__init__(api_base, max_age_seconds)
        self.access_token = (access_token or "").strip()
        self.phone_number_id = str(phone_number_id or "").strip()
        self.app_secret = usable_secret(app_secret)
        self.verify_token = usable_secret(verify_token)

    def enabled(self) -> bool:
        return bool(self.access_token and self.phone_number_id and self.app_secret)

    def api_call(self, method: str) -> tuple[str, dict[str, str], dict[str, str]]:
        url = f"{self.api_base}/{GRAPH_VERSION}/{self.phone_number_id}/{method}"
        return url, {"Authorization": f"Bearer {self.access_token}"}, {}

    def updates(self, payload: Any) -> list[Incoming]:
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            return []
        items = []
        for entry in payload.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                value = (change or {}).get("value") or {}
                if (
                    str((value.get("metadata") or {}).get("phone_number_id"))
                    != self.phone_number_id
                ):
                    continue  # another business number's delivery
                for message in value.get("messages") or []:
                    items.append(self._message(message))
        return [item for item in items if item is not None]

    def _message(self, message: Any) -> Incoming | None:
        if not isinstance(message, dict) or not message.get("from"):
            return None
        timestamp = message.get("timestamp")
        if isinstance(timestamp, str) and timestamp.isdigit():
            check_fresh(int(timestamp), self.max_age_seconds)
        user_id = str(message["from"])
        base = {"update_id": f"wa:{message.get('id')}" if message.get("id") else None}
        kind = message.get("type")
        if kind == "text":
            body = str((message.get("text") or {}).get("body") or "")
            return Incoming(user_id, "text", body, **base)
        if kind == "interactive":
            interactive = message.get("interactive") or {}
            reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
            return Incoming(user_id, "button", str(reply.get("id") or ""), **base)
        if kind == "button":  # a template's quick-reply button
            button = message.get("button") or {}
            return Incoming(
                user_id, "button", str(button.get("payload") or button.get("text") or ""), **base
            )
        return Incoming(user_id, "unsupported", **base)


# --------------------------------------------------------------------------- Messenger


class FacebookOutput(MessengerOutput):
    text_limit = 2000

    @classmethod
    def name(cls) -> str:
        return "facebook"

    async def _send(self, to: str, message: dict[str, Any]) -> None:
        await self.call(
            "me/messages",
            {"recipient": {"id": to}, "messaging_type": "RESPONSE", "message": message},
        )

    async def text(self, to: str, text: str) -> None:
        await self._send(to, {"text": text})

    async def text_with_buttons(self, to: str, text: str, buttons: list[dict[str, Any]]) -> None:
        if any(button.get("url") for button in buttons) and len(buttons) <= 3:
            template = {
                "template_type": "button",
                "text": text[:640],
                "buttons": [
                    {"type": "web_url", "url": b["url"], "title": b["title"][:20]}
                    if b.get("url")
                    else {
                        "type": "postback",
                        "payload": str(b.get("payload") or b["title"]),
                        "title": b["title"][:20],
                    }
                    for b in buttons
                ],
            }
            await self._send(to, {"attachment": {"type": "template", "payload": template}})
            return
        replies = [
            {
                "content_type": "text",
                "title": b["title"][:20],
                "payload": str(b.get("payload") or b["title"])[:1000],
            }
            for b in buttons[:13]
        ]
        await self._send(to, {"text": text, "quick_replies": replies})

    async def image(self, to: str, url: str, caption: str | None = None) -> None:
        await self._send(to, {"attachment": {"type": "image", "payload": {"url": url}}})

    async def document(self, to: str, url: str, name: str | None = None) -> None:
        await self._send(to, {"attachment": {"type": "file", "payload": {"url": url}}})

    async def ask_contact(self, to: str, text: str) -> None:
        reply = {"content_type": "user_phone_number"}
        await self._send(to, {"text": text or "Your phone number?", "quick_replies": [reply]})


class FacebookGuardedInput(MetaWebhook, FacebookInput):
    """Rasa's "facebook" channel, rewritten on httpx behind the signature check and the guard
    (Rasa's uses the `fbmessenger` client, which calls graph.facebook.com directly)."""

    sender_prefix = "fb-"
    default_api_base = GRAPH_API
    output_class = FacebookOutput

    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> FacebookGuardedInput:
        credentials = credentials or {}
        return cls(
            page_access_token=credentials.get("page-access-token"),
            app_secret=credentials.get("secret"),
            verify_token=credentials.get("verify"),
            api_base=credentials.get("api_base"),
            max_age_seconds=credentials.get("max_age_seconds", 3600),
        )

    def __init__(
        self,
        page_access_token: str | None = None,
        app_secret: str | None = None,
        verify_token: str | None = None,
        api_base: str | None = None,
        max_age_seconds: float = 3600,
    ) -> None:
        MessengerInput.__init__(self, api_base, max_age_seconds)
        self.page_access_token = (page_access_token or "").strip()
        self.app_secret = usable_secret(app_secret)
        self.verify_token = usable_secret(verify_token)
        self.fb_verify, self.fb_secret = self.verify_token, self.app_secret

    def enabled(self) -> bool:
        return bool(self.page_access_token and self.app_secret)

    def api_call(self, method: str) -> tuple[str, dict[str, str], dict[str, str]]:
        url = f"{self.api_base}/{GRAPH_VERSION}/{method}"
        return url, {}, {"access_token": self.page_access_token}

    def updates(self, payload: Any) -> list[Incoming]:
        if not isinstance(payload, dict) or payload.get("object") != "page":
            return []
        items = []
        for entry in payload.get("entry") or []:
            for event in (entry or {}).get("messaging") or []:
                item = self._event(event)
                if item is not None:
                    items.append(item)
        return items

    def _event(self, event: Any) -> Incoming | None:
        if not isinstance(event, dict):
            return None
        user_id = str((event.get("sender") or {}).get("id") or "")
        if not user_id:
            return None
        timestamp = event.get("timestamp")
        if isinstance(timestamp, (int, float)):
            check_fresh(timestamp / 1000, self.max_age_seconds)
        message = event.get("message")
        if isinstance(message, dict):
            if message.get("is_echo"):
                return None  # the page's own message
            base = {"update_id": f"fb:{message.get('mid')}" if message.get("mid") else None}
            quick = message.get("quick_reply") or {}
            if quick.get("payload"):
                payload = str(quick["payload"])
                if payload.startswith("+") or payload.replace(" ", "").isdigit():
                    phone = payload if payload.startswith("+") else "+" + payload
                    return Incoming(user_id, "contact", phone=phone, **base)  # user_phone_number
                return Incoming(user_id, "button", payload, **base)
            if isinstance(message.get("text"), str):
                return Incoming(user_id, "text", message["text"], **base)
            return Incoming(user_id, "unsupported", **base)
        postback = event.get("postback")
        if isinstance(postback, dict):
            ref = (postback.get("referral") or {}).get("ref")
            base = {"update_id": f"fbp:{postback.get('mid') or timestamp}:{user_id}"}
            if ref or postback.get("payload") in ("GET_STARTED", "/greet"):
                return Incoming(user_id, "start", "/greet", start_param=ref, **base)
            return Incoming(user_id, "button", str(postback.get("payload") or ""), **base)
        referral = event.get("referral")
        if isinstance(referral, dict):
            return Incoming(
                user_id,
                "start",
                "/greet",
                start_param=referral.get("ref"),
                update_id=f"fbr:{timestamp}:{user_id}",
            )
        return None
