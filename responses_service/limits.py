"""Each messenger's limits, the checks every response must pass, and the editor's preview.

The numbers are the platforms' documented limits as our channels apply them
(assistant/channels/messengers): a title longer than the limit is cut mid-word there, so the
catalog must never have one.
"""

from __future__ import annotations

from typing import Any

BUTTON_TITLE_MAX = 20  # WhatsApp reply buttons, Messenger quick replies and templates
WHATSAPP_REPLY_BUTTONS_MAX = 3  # more become a list message...
WHATSAPP_LIST_ROWS_MAX = 10  # ...of at most 10 rows
WHATSAPP_BODY_WITH_BUTTONS_MAX = 1024
TELEGRAM_CALLBACK_DATA_MAX_BYTES = 64
TEXT_MAX = {"telegram": 4096, "viber": 7000, "whatsapp": 4096, "facebook": 2000}
MESSENGERS = ("telegram", "viber", "whatsapp", "facebook")
VARIATION_KEYS = {"text", "buttons", "image", "custom", "condition", "channel", "attachment",
                  "elements", "quick_replies", "button_type", "id"}
BUTTON_KEYS = {"title", "payload", "url", "type"}


def variation_problems(variation: Any) -> list[str]:
    """What is wrong with one variation: shape, and every messenger's limits."""
    if not isinstance(variation, dict):
        return ["a variation must be a mapping"]
    problems = [f"unknown key {key!r}" for key in variation if key not in VARIATION_KEYS]
    text = variation.get("text")
    custom = variation.get("custom")
    if text is None and not variation.get("image") and not custom and not variation.get(
            "attachment"):
        problems.append("a variation needs a text, an image, an attachment or a custom payload")
    if text is not None and not isinstance(text, str):
        problems.append("text must be a string")
    if isinstance(custom, dict) and isinstance(custom.get("text"), str):
        text = text or custom["text"]
    if isinstance(text, str):
        if not text.strip():
            problems.append("text must not be empty")
        shortest = min(TEXT_MAX.values())
        if len(text) > shortest:
            problems.append(f"text is {len(text)} characters (Messenger: at most {shortest})")
    buttons = variation.get("buttons") or []
    if not isinstance(buttons, list):
        return [*problems, "buttons must be a list"]
    if len(buttons) > WHATSAPP_LIST_ROWS_MAX:
        problems.append(f"{len(buttons)} buttons (WhatsApp lists: at most "
                        f"{WHATSAPP_LIST_ROWS_MAX})")
    if (0 < len(buttons) <= WHATSAPP_REPLY_BUTTONS_MAX and isinstance(text, str)
            and len(text) > WHATSAPP_BODY_WITH_BUTTONS_MAX):
        problems.append(f"text with buttons is {len(text)} characters (WhatsApp: at most "
                        f"{WHATSAPP_BODY_WITH_BUTTONS_MAX})")
    for button in buttons:
        problems.extend(button_problems(button))
    return problems


def button_problems(button: Any) -> list[str]:
    if not isinstance(button, dict):
        return ["a button must be a mapping with a title and a payload or url"]
    problems = [f"unknown button key {key!r}" for key in button if key not in BUTTON_KEYS]
    title = button.get("title")
    if not isinstance(title, str) or not title.strip():
        return [*problems, "a button needs a title"]
    if len(title) > BUTTON_TITLE_MAX:
        problems.append(f"button title {title!r} is {len(title)} characters (at most "
                        f"{BUTTON_TITLE_MAX}: WhatsApp and Messenger cut it)")
    payload, url = button.get("payload"), button.get("url")
    if not payload and not url:
        problems.append(f"button {title!r} needs a payload or a url")
    if payload is not None:
        if not isinstance(payload, str):
            problems.append(f"button {title!r}: payload must be a string")
        elif len(payload.encode()) > TELEGRAM_CALLBACK_DATA_MAX_BYTES:
            problems.append(f"button {title!r}: payload is {len(payload.encode())} bytes "
                            f"(Telegram callback data: at most {TELEGRAM_CALLBACK_DATA_MAX_BYTES})")
    return problems


def preview(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """How one rendered message looks on each messenger (what our channels send)."""
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
    text = message.get("text") or custom.get("text") or ""
    buttons = message.get("buttons") or []
    titles = [str(b.get("title", "")) for b in buttons]
    out: dict[str, dict[str, Any]] = {}
    for messenger in MESSENGERS:
        limit = TEXT_MAX[messenger]
        shown: dict[str, Any] = {"text": text[:limit], "warnings": []}
        if len(text) > limit:
            shown["warnings"].append(f"text split after {limit} characters")
        if messenger == "whatsapp" and buttons:
            if len(buttons) <= WHATSAPP_REPLY_BUTTONS_MAX:
                shown["buttons_as"] = "reply buttons"
                shown["buttons"] = [t[:20] for t in titles]
            else:
                shown["buttons_as"] = "list"
                shown["buttons"] = [t[:24] for t in titles[:WHATSAPP_LIST_ROWS_MAX]]
        elif messenger == "facebook" and buttons:
            shown["buttons_as"] = "quick replies"
            shown["buttons"] = [t[:20] for t in titles[:13]]
        elif buttons:
            shown["buttons_as"] = "inline keyboard" if messenger == "telegram" else "keyboard"
            shown["buttons"] = titles
        cut = [t for t, s in zip(titles, shown.get("buttons", titles), strict=False) if s != t]
        if cut:
            shown["warnings"].append("cut: " + ", ".join(repr(t) for t in cut))
        if messenger == "telegram":
            long = [b.get("payload") for b in buttons if len(str(b.get("payload") or "").encode())
                    > TELEGRAM_CALLBACK_DATA_MAX_BYTES]
            if long:
                shown["warnings"].append(f"callback data over 64 bytes: {long}")
        if message.get("image"):
            shown["image"] = message["image"]
        if custom:
            shown["custom"] = custom
        out[messenger] = shown
    return out
