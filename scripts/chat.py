"""Terminal chat with the assistant over the REST channel.

Unlike `rasa shell` (which uses Rasa's command-line channel), every message goes through our
redacting REST channel, exactly like a messenger's. Buttons are numbered: type the number to
press one. `/sms <phone>` shows the sandbox's latest text messages to that phone (where the
login codes land: the sandbox stands in for the customer's phone). Ctrl-D or /quit ends the chat.

    python -m scripts.chat [--url http://127.0.0.1:5005] [--sender alice]

The REST channel only lets in callers holding a client credential (docs/security.md): the chat
is the `local` client and signs a short-lived token naming its sender with
REST_LOCAL_CLIENT_SECRET (from .env, which `make` exports).
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid

import httpx

from assistant.channels.auth import mint_token

LOCAL_CLIENT = "local"
DEV_LOCAL_SECRET = "dev-rest-local-client-secret"  # scripts/services.py DEV_DEFAULTS


def local_secret(env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("REST_LOCAL_CLIENT_SECRET") or DEV_LOCAL_SECRET


def rest_auth(sender: str, secret: str | None = None, client: str = LOCAL_CLIENT) -> dict:
    """Headers of a REST call as `sender`: a token signed with the client's secret."""
    token = mint_token(client, secret or local_secret(), sender, ttl_seconds=600)
    return {"Authorization": f"Bearer {token}"}


class RestChat:
    """Minimal client of POST /webhooks/rest/webhook (also used by tests and the benchmark)."""

    def __init__(self, rasa_url: str, timeout: float = 30.0, secret: str | None = None):
        self.webhook = rasa_url.rstrip("/") + "/webhooks/rest/webhook"
        self.secret = secret or local_secret()
        self.client = httpx.Client(timeout=timeout)

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        body: dict = {"message": text}
        if metadata is not None:
            body["metadata"] = metadata
        answer = self.client.post(self.webhook, json=body, headers=rest_auth(sender, self.secret))
        answer.raise_for_status()
        return answer.json()

    def close(self) -> None:
        self.client.close()


def sandbox_sms(phone: str, limit: int = 3) -> list[dict]:
    """Latest SMS the sandbox "sent" to `phone` (needs COREBANK_URL and SANDBOX_ADMIN_TOKEN)."""
    answer = httpx.get(
        os.environ.get("COREBANK_URL", "http://127.0.0.1:8800").rstrip("/") + "/sandbox/sms",
        params={"phone": phone, "limit": limit},
        headers={"X-Sandbox-Token": os.environ.get("SANDBOX_ADMIN_TOKEN", "dev-sandbox-admin")},
        timeout=5.0,
    )
    answer.raise_for_status()
    return answer.json()["messages"]


def render(message: dict) -> tuple[str, list[dict]]:
    """Text shown for one bot message, and its buttons."""
    lines = []
    if message.get("text"):
        lines.append(message["text"])
    if message.get("image"):
        lines.append(f"[image] {message['image']}")
    if message.get("attachment"):
        lines.append(f"[attachment] {message['attachment']}")
    if message.get("custom"):
        lines.append(f"[custom] {message['custom']}")
    buttons = message.get("buttons") or []
    for number, button in enumerate(buttons, start=1):
        lines.append(f"  {number}. {button.get('title')}")
    return "\n".join(lines), buttons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args(argv)

    chat = RestChat(args.url)
    buttons: list[dict] = []
    print(f"Chatting as '{args.sender}' (type /quit or Ctrl-D to stop; 'help' shows the menu)")
    try:
        while True:
            try:
                text = input("you> ").strip()
            except EOFError:
                print()
                break
            if not text:
                continue
            if text in ("/quit", "/exit"):
                break
            if text.startswith("/sms"):
                phone = text[len("/sms") :].strip()
                try:
                    for sms in sandbox_sms(phone) if phone else []:
                        print(f"  sms to {sms['phone']} at {sms['created_at']}: {sms['text']}")
                except httpx.HTTPError as exc:
                    print(f"(sandbox SMS outbox unavailable: {exc})")
                if not phone:
                    print("usage: /sms +380501234567")
                continue
            if text.isdigit() and 1 <= int(text) <= len(buttons):
                text = buttons[int(text) - 1].get("payload") or buttons[int(text) - 1]["title"]
            try:
                messages = chat.send(args.sender, text)
            except httpx.HTTPError as exc:
                print(f"(could not reach the assistant: {exc})")
                continue
            buttons = []
            for message in messages:
                shown, message_buttons = render(message)
                buttons.extend(message_buttons)
                print("bot> " + shown.replace("\n", "\n     "))
    except KeyboardInterrupt:
        print()
    finally:
        chat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
