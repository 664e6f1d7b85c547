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

import httpx
from rasa.core.channels.facebook import FacebookInput
from sanic import response
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
from assistant.channels.messengers.windows import messenger_tag, whatsapp_template

SIGNATURE_HEADER = "X-Hub-Signature-256"
GRAPH_API = "https://graph.facebook.com"
GRAPH_VERSION = "v17.0"
OWN_NUMBER_BUTTON = "SHARE_OWN_NUMBER"  # WhatsApp: "use this number" (the phone is the sender's)

# Meta's error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes,
# developers.facebook.com/docs/messenger-platform/error-codes).
WA_OUTSIDE_WINDOW = {131047}  # re-engagement: more than 24 h since the customer wrote
WA_RATE = {4, 80007, 130429, 131048, 131056}
WA_UNREACHABLE = {131026}  # undeliverable: not on WhatsApp, blocked the business, old app
WA_TEMPORARY = {1, 2, 131000, 131016}
FB_RATE = {4, 32, 613}
FB_TEMPORARY = {1, 2}


def graph_error(body: Any) -> tuple[int, int, str]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return 0, 0, ""
    try:
        code = int(error.get("code") or 0)
        subcode = int(error.get("error_subcode") or 0)
    except (TypeError, ValueError):
        code, subcode = 0, 0
    return code, subcode, f"{code}/{subcode} {str(error.get('message') or '')[:120]}"


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

    async def ask_contact(self, to: str, text: str) -> None:
        """The sender's own WhatsApp number is offered as a button (WhatsApp verified it); a
        typed number or a shared contact card is read as well."""
        reply = {"id": OWN_NUMBER_BUTTON, "title": "📱 Use this number"}
        button = {"type": "reply", "reply": reply}
        interactive = {
            "type": "button",
            "body": {"text": (text or "Your phone number?")[:1024]},
            "action": {"buttons": [button]},
        }
        await self.call("messages", self._message(to, "interactive", interactive))


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
            max_age_seconds=credentials.get("max_age_seconds", DEFAULT_MAX_AGE_SECONDS),
        )

    def __init__(
        self,
        access_token: str | None = None,
        phone_number_id: str | None = None,
        app_secret: str | None = None,
        verify_token: str | None = None,
        api_base: str | None = None,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
    ) -> None:
        super().__init__(api_base, max_age_seconds)
        self.access_token = (access_token or "").strip()
        self.phone_number_id = str(phone_number_id or "").strip()
        self.app_secret = usable_secret(app_secret)
        self.verify_token = usable_secret(verify_token)

    def enabled(self) -> bool:
        return bool(self.access_token and self.phone_number_id and self.app_secret)

    has_messaging_window = True

    def api_call(self, method: str) -> tuple[str, dict[str, str], dict[str, str]]:
        url = f"{self.api_base}/{GRAPH_VERSION}/{self.phone_number_id}/{method}"
        return url, {"Authorization": f"Bearer {self.access_token}"}, {}

    def refusal(self, answer: httpx.Response, body: Any) -> SendError | None:
        if answer.status_code < 300:
            return None
        code, _sub, detail = graph_error(body)
        if code in WA_OUTSIDE_WINDOW:
            return SendError("window", detail)
        if code in WA_RATE or answer.status_code == 429:
            return SendError("rate", detail, retry_after_header(answer))
        if code in WA_UNREACHABLE:
            return SendError("blocked", detail)
        if code in WA_TEMPORARY or answer.status_code >= 500:
            return SendError("temporary", detail or str(answer.status_code),
                             retry_after_header(answer))
        return SendError("permanent", detail or str(answer.status_code))

    def sent_message_id(self, body: Any) -> str | None:
        messages = body.get("messages") if isinstance(body, dict) else None
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return str(messages[0].get("id") or "") or None
        return None

    async def proactive_calls(
        self, recipient: str, message: dict[str, Any], closed: bool, language: str
    ) -> tuple[list[tuple[str, dict[str, Any]]] | None, str]:
        if not closed:
            return await super().proactive_calls(recipient, message, closed, language)
        template = whatsapp_template(message, language)
        if template is None:
            return None, "outside the window: no approved template"
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient,
            "type": "template",
            "template": template,
        }
        return [("messages", payload)], f"template:{template['name']}"

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
                for status in value.get("statuses") or []:
                    items.append(self._status(status))
        return [item for item in items if item is not None]

    def _status(self, status: Any) -> Incoming | None:
        """A sent / delivered / read / failed notice about a message the bank sent."""
        if not isinstance(status, dict) or not status.get("id"):
            return None
        errors = status.get("errors") or [{}]
        extra = {
            "message_ids": [str(status["id"])],
            "status": status.get("status"),
            "error": (errors[0] or {}).get("title") if isinstance(errors, list) else None,
        }
        return Incoming(str(status.get("recipient_id") or ""), "status", extra=extra)

    def _message(self, message: Any) -> Incoming | None:
        if not isinstance(message, dict) or not message.get("from"):
            return None
        timestamp = message.get("timestamp")
        at = None
        if isinstance(timestamp, str) and timestamp.isdigit():
            check_fresh(int(timestamp), self.max_age_seconds)
            at = float(timestamp)
        user_id = str(message["from"])
        base: dict[str, Any] = {
            "update_id": f"wa:{message.get('id')}" if message.get("id") else None,
            "at": at,
        }
        kind = message.get("type")
        if kind in ("reaction", "system", "edit", "revoke", "request_welcome"):
            # A reaction to a message, "the customer changed their number", an edit of an
            # earlier message (never replayed: an edited "yes" must not confirm anything
            # again), a deleted message: nothing to answer.
            return Incoming(user_id, "ignored", **base)
        if kind == "contacts":
            return self._contact_card(user_id, message, base)
        if kind == "interactive" and (
            ((message.get("interactive") or {}).get("button_reply") or {}).get("id")
            == OWN_NUMBER_BUTTON
        ):
            # "Use this number": the sender's own number, as WhatsApp verified it.
            return Incoming(user_id, "contact", phone="+" + user_id.lstrip("+"), **base)
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

    def _contact_card(self, user_id: str, message: dict[str, Any], base: dict) -> Incoming:
        """A shared contact card: its first phone number, read as if typed (the login still
        sends a code to it); the customer's own card counts as their own number."""
        for card in message.get("contacts") or []:
            for phone in (card or {}).get("phones") or []:
                if not isinstance(phone, dict):
                    continue
                if str(phone.get("wa_id") or "") == user_id:
                    return Incoming(user_id, "contact", phone="+" + user_id, **base)
                digits = "".join(ch for ch in str(phone.get("phone") or phone.get("wa_id") or "")
                                 if ch.isdigit())
                if digits:
                    return Incoming(user_id, "text", "+" + digits, **base)
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
            max_age_seconds=credentials.get("max_age_seconds", DEFAULT_MAX_AGE_SECONDS),
        )

    def __init__(
        self,
        page_access_token: str | None = None,
        app_secret: str | None = None,
        verify_token: str | None = None,
        api_base: str | None = None,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
    ) -> None:
        MessengerInput.__init__(self, api_base, max_age_seconds)
        self.page_access_token = (page_access_token or "").strip()
        self.app_secret = usable_secret(app_secret)
        self.verify_token = usable_secret(verify_token)
        self.fb_verify, self.fb_secret = self.verify_token, self.app_secret

    def enabled(self) -> bool:
        return bool(self.page_access_token and self.app_secret)

    has_messaging_window = True

    def api_call(self, method: str) -> tuple[str, dict[str, str], dict[str, str]]:
        url = f"{self.api_base}/{GRAPH_VERSION}/{method}"
        return url, {}, {"access_token": self.page_access_token}

    def refusal(self, answer: httpx.Response, body: Any) -> SendError | None:
        if answer.status_code < 300:
            return None
        code, subcode, detail = graph_error(body)
        if code == 10 and subcode == 2018278:  # sent outside of allowed window
            return SendError("window", detail)
        if code == 551 or subcode == 1545041:  # this person isn't available right now
            return SendError("blocked", detail)
        if code in FB_RATE or answer.status_code == 429:
            return SendError("rate", detail, retry_after_header(answer))
        if code in FB_TEMPORARY or answer.status_code >= 500:
            return SendError("temporary", detail or str(answer.status_code),
                             retry_after_header(answer))
        return SendError("permanent", detail or str(answer.status_code))

    def sent_message_id(self, body: Any) -> str | None:
        mid = body.get("message_id") if isinstance(body, dict) else None
        return str(mid) if mid else None

    async def proactive_calls(
        self, recipient: str, message: dict[str, Any], closed: bool, language: str
    ) -> tuple[list[tuple[str, dict[str, Any]]] | None, str]:
        calls, _how = await super().proactive_calls(recipient, message, closed, language)
        if not closed:
            return [(m, {**p, "messaging_type": "UPDATE"}) for m, p in calls or []], "free"
        tag = messenger_tag(message)
        if tag is None:
            return None, "outside the window: no message tag fits"
        tagged = [(m, {**p, "messaging_type": "MESSAGE_TAG", "tag": tag}) for m, p in calls or []]
        return tagged, f"tag:{tag}"

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
        at = None
        if isinstance(timestamp, (int, float)):
            check_fresh(timestamp / 1000, self.max_age_seconds)
            at = timestamp / 1000
        delivery, read = event.get("delivery"), event.get("read")
        if isinstance(delivery, dict):
            ids = [str(mid) for mid in delivery.get("mids") or [] if mid]
            if ids:
                return Incoming(user_id, "status",
                                extra={"message_ids": ids, "status": "delivered"})
            return None
        if isinstance(read, dict) and read.get("watermark") is not None:
            extra = {"status": "read", "watermark": read["watermark"], "recipient": user_id}
            return Incoming(user_id, "status", extra=extra)
        message = event.get("message")
        if isinstance(message, dict):
            if message.get("is_echo"):
                return None  # the page's own message
            base = {"update_id": f"fb:{message.get('mid')}" if message.get("mid") else None,
                    "at": at}
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
