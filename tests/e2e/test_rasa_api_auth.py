"""Rasa's HTTP API (enabled for proactive messages and the tests) accepts only
`Authorization: Bearer <JWT>` signed with RASA_JWT_SECRET (assistant/rasa_api.py; Rasa runs with
`--jwt-secret` and no `--auth-token`). No credential, the secret itself in `?token=`, a JWT
forged with another key, an expired one (sanic-jwt's 3-minute leeway is not allowed), one
without `exp`, one with another algorithm ("none", HS512) or a garbled
one: 401, and nothing changes. A customer-role JWT reaches only its own conversation (403
otherwise)."""

from __future__ import annotations

import base64
import json
import re
import time

import httpx
import jwt
import pytest

from actions.notifications.webhooks import sign
from assistant.rasa_api import api_token
from tests.actions.notifications.stack import event_body
from tests.e2e.helpers import wait_for_bot_text

JWT_RE = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.")

CALLS = [
    ("GET", "/conversations/{sender}/tracker", None),
    ("POST", "/conversations/{sender}/trigger_intent", {"name": "greet"}),
    ("POST", "/conversations/{sender}/tracker/events", {"event": "slot", "name": "logged_in",
                                                         "value": True}),
    ("POST", "/model/parse", {"text": "hi"}),
    ("GET", "/status", None),
]  # fmt: skip


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


ADMIN = {"user": {"username": "assistant", "role": "admin"}}


def _refused_credentials(secret: str) -> dict[str, tuple[dict, dict]]:
    """name → (query params, headers) of a request that must be refused."""
    later = int(time.time()) + 300

    def bearer(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    return {
        "nothing": ({}, {}),
        "secret-in-url": ({"token": secret}, {}),
        "jwt-in-url": ({"token": api_token(secret)}, {}),
        "secret-as-bearer": ({}, bearer(secret)),
        "forged-key": ({}, bearer(api_token("an-attacker-key-of-the-same-length-000"))),
        "expired": ({}, bearer(api_token(secret, ttl_seconds=-30))),
        "no-exp": ({}, bearer(jwt.encode(ADMIN, secret, algorithm="HS256"))),
        "alg-none": ({}, bearer(f"{_b64({'alg': 'none', 'typ': 'JWT'})}."
                                f"{_b64({**ADMIN, 'exp': later})}.")),
        "alg-hs512": ({}, bearer(jwt.encode({**ADMIN, "exp": later}, secret, algorithm="HS512"))),
        "garbled": ({}, bearer("not.a.jwt")),
        "bare-bearer": ({}, {"Authorization": "Bearer"}),
        "basic-scheme": ({}, {"Authorization": f"Basic {secret}"}),
    }


NAMES = list(_refused_credentials("x"))


@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[c[1] for c in CALLS])
@pytest.mark.parametrize("credential", NAMES)
def test_rasa_api_without_a_valid_jwt_is_401(chat, rasa_server, method, path, body, credential):
    sender = chat.new_sender("api")
    chat.send(sender, "hi")
    params, headers = _refused_credentials(rasa_server.token)[credential]
    answer = httpx.request(method, rasa_server.url + path.format(sender=sender), json=body,
                           params=params, headers=headers, timeout=30)  # fmt: skip
    assert answer.status_code == 401, answer.text
    # Nothing was changed: the conversation has no injected intent and is not logged in.
    tracker = httpx.get(f"{rasa_server.url}/conversations/{sender}/tracker",
                        headers=rasa_server.api_headers(), timeout=30).json()  # fmt: skip
    assert tracker["slots"].get("logged_in") is not True
    assert [e["event"] for e in tracker["events"] if e["event"] == "user"] == ["user"]


def test_rasa_api_with_a_signed_jwt_answers(rasa_server) -> None:
    answer = httpx.get(f"{rasa_server.url}/status", headers=rasa_server.api_headers(), timeout=30)
    assert answer.status_code == 200
    assert answer.json()["model_file"]


def test_customer_role_jwt_reaches_only_its_own_conversation(chat, rasa_server) -> None:
    mine, other = chat.new_sender("own"), chat.new_sender("other")
    for sender in (mine, other):
        chat.send(sender, "hi")
    headers = rasa_server.api_headers(username=mine, role="user")
    url = f"{rasa_server.url}/conversations/{{}}/tracker"
    assert httpx.get(url.format(mine), headers=headers, timeout=30).status_code == 200
    assert httpx.get(url.format(other), headers=headers, timeout=30).status_code == 403


def test_proactive_message_leaves_no_api_secret_in_any_url_or_log(
    chat, rasa_server, action_server, corebank, assistant_env
) -> None:
    """A signed bank event makes the action server call Rasa's `trigger_intent` (the call that
    used to carry `?token=`): the customer is told, and no log of the stack (Rasa at DEBUG, the
    action server, the sandbox) holds the JWT secret, a JWT or a `token=` query parameter."""
    sender = chat.new_sender("jwt-logs")
    chat.send(sender, "hi")
    body, _, _ = event_body(sender=sender, masked_card="•••• 0016")
    secret = assistant_env.env["BANK_WEBHOOK_SECRET"]
    answer = httpx.post(
        f"{action_server.url}/webhooks/bank",
        content=body,
        headers={"Content-Type": "application/json",
                 "X-Bank-Signature": sign(secret, body, int(time.time()))},
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json()["status"] == "delivered", answer.text
    assert wait_for_bot_text(rasa_server, sender, "Your card")
    # the notice goes out through the conversation's own channel (never "latest"): httpx, INFO
    assert "/trigger_intent?output_channel=rest" in action_server.log_text()
    for process in (rasa_server, action_server, corebank):
        log = process.log_text()
        assert rasa_server.token not in log
        # A credential in a URL is never logged in clear (Facebook's Graph API takes its page
        # token as ?access_token=: the log filter writes it as [redacted]).
        assert not re.search(r"[?&](token|jwt|access_token)=(?!\[redacted\])", log), process
        assert not JWT_RE.search(log), process
