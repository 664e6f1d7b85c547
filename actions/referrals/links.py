"""The customer's invitation link for the messenger they are using: a deep link where the
messenger has one, the plain code elsewhere (REST, socket.io, the web chat).

- Telegram: `https://t.me/<bot>?start=<code>` (the start parameter)
- Viber: `viber://pa?chatURI=<uri>&context=<code>` (the conversation_started context)
- Facebook Messenger: `https://m.me/<page>?ref=<code>` (the referral ref)
- WhatsApp: `https://wa.me/<number>?text=<prefilled message with the code>` (WhatsApp has no
  start parameter: the newcomer sends the prefilled text, and the NLU reads it as `referral`)
The bot names come from the environment (TELEGRAM_BOT_NAME, VIBER_CHAT_URI,
FACEBOOK_PAGE_NAME, WHATSAPP_BUSINESS_NUMBER); an unset one means no link on that messenger.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlencode

WHATSAPP_TEXT = "Hi! I'd like to join with invitation code {code}"


def _env(name: str) -> str:
    return (os.environ.get(name) or "").strip().lstrip("@")


def invitation_link(channel: str | None, code: str) -> str | None:
    if channel == "telegram" and _env("TELEGRAM_BOT_NAME"):
        return f"https://t.me/{quote(_env('TELEGRAM_BOT_NAME'))}?start={quote(code)}"
    if channel == "viber" and _env("VIBER_CHAT_URI"):
        return "viber://pa?" + urlencode({"chatURI": _env("VIBER_CHAT_URI"), "context": code})
    if channel == "facebook" and _env("FACEBOOK_PAGE_NAME"):
        return f"https://m.me/{quote(_env('FACEBOOK_PAGE_NAME'))}?ref={quote(code)}"
    if channel == "whatsapp" and _env("WHATSAPP_BUSINESS_NUMBER"):
        number = "".join(ch for ch in _env("WHATSAPP_BUSINESS_NUMBER") if ch.isdigit())
        return f"https://wa.me/{number}?" + urlencode({"text": WHATSAPP_TEXT.format(code=code)},
                                                      quote_via=quote)
    return None
