"""The REST channel: only callers holding a client credential get in (the sender is the one their
token names, the channel is always "rest"); the body is read by the transport, everything else
by the guard, whatever the path looks like (a trailing slash included)."""

from __future__ import annotations

import json
import re
import time

import httpx
import jwt
import pytest

from assistant.channels import RedactingRestInput
from assistant.channels.auth import mint_token
from assistant.channels.guard import too_long_answer
from bankclient.refs import CARD_PREFIX
from tests.assistant.channels.conftest import BOT_ANSWER, RecordingAgent

CTOK = re.compile(rf"{CARD_PREFIX}[A-Za-z0-9]{{16}}")


WEBHOOK = "/webhooks/rest/webhook"
SECRET = "a-test-client-secret-of-32-chars"
OTHER_SECRET = "another-client-secret-32-chars!!"


def auth(sender: str = "alice", client: str = "web", secret: str = SECRET, **kwargs) -> dict:
    return {"Authorization": f"Bearer {mint_token(client, secret, sender, **kwargs)}"}


def _token(claims: dict) -> dict:
    token = jwt.encode({"iss": "web", "sub": "alice", **claims}, SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def rest(serve):
    """(client, agent): an HTTP client of a served REST channel, and what reached "Rasa". The
    client signs as client "web" for sender "alice" unless a request says otherwise."""
    agent = RecordingAgent()
    channel = RedactingRestInput.from_credentials(
        {"clients": {"web": SECRET, "other": OTHER_SECRET, "off": ""}}
    )
    url = await serve(channel, agent=agent)
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=auth()) as client:
        yield client, agent


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"json": None},
        {"json": []},
        {"json": "hello"},
        {"json": {"sender": "alice"}},  # no message
        {"json": {"sender": "alice", "message": 42}},
        {"json": {"sender": "alice", "message": {"text": "hi"}}},
        {"json": {"sender": "alice", "message": "   \x00\x07  "}},
        {"json": {"sender": "alice", "message": "hi", "metadata": "not an object"}},
    ],
)
async def test_bad_payloads_are_refused(rest, kwargs) -> None:
    client, agent = rest
    answer = await client.post(WEBHOOK, **kwargs)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_request" and error["message"]
    assert agent.messages == []


async def test_error_messages_name_the_problem(rest) -> None:
    client, _agent = rest
    cases = {
        b"{not json": "The body is not valid JSON.",
        b"[1]": "The body must be a JSON object.",
        b'{"message": 1}': "'message' must be a string",
        b'{"message": " "}': "'message' is empty.",
        b'{"message": "hi", "metadata": 1}': "'metadata' must be a JSON object.",
    }
    for body, expected in cases.items():
        answer = await client.post(
            WEBHOOK, content=body, headers={"Content-Type": "application/json"}
        )
        assert answer.json()["error"]["message"].startswith(expected), body


async def test_good_payload_is_cleaned(rest) -> None:
    client, agent = rest
    answer = await client.post(
        WEBHOOK, json={"message": " hi\x00 there\u202e\r\n"}, headers=auth("12345")
    )
    assert answer.status_code == 200
    assert answer.json() == [{"recipient_id": "12345", "text": BOT_ANSWER}]
    [message] = agent.messages
    assert (message.sender_id, message.text, message.input_channel) == (
        "12345",
        "hi there",
        "rest",
    )


async def test_channel_name_is_always_rest(rest) -> None:
    client, agent = rest
    await client.post(WEBHOOK, json={"sender": "alice", "message": "hi"})
    assert agent.messages[0].input_channel == "rest"
    assert agent.messages[0].metadata is None


# ------------------------------------------------------------------ who may get in


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": ""},  # no credential at all
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic YWxpY2U6cHc="},
        auth(secret="a-wrong-secret-of-enough-length!"),  # forged
        auth(client="nobody"),  # unknown client
        auth(client="off", secret="x" * 32),  # a client whose secret is empty is off
        auth(client="other"),  # another client's id with this client's secret
        auth(ttl_seconds=-3600),  # expired
        auth(ttl_seconds=30 * 24 * 3600),  # lifetime longer than allowed
        _token({"exp": time.time() + 10 * 365 * 86400}),  # no iat: lifetime unknown (#22)
        _token({"iat": "now", "exp": time.time() + 600}),
        _token({"iat": time.time() - 600, "exp": time.time() + 10 * 365 * 86400}),
    ],
    ids=["none", "empty-bearer", "garbage", "basic", "forged", "unknown-client", "disabled",
         "wrong-client", "expired", "too-long", "no-iat-ten-years", "iat-not-a-number",
         "iat-ten-years"],
)  # fmt: skip
async def test_callers_without_a_valid_credential_get_401(rest, headers) -> None:
    client, agent = rest
    for path in (WEBHOOK, f"{WEBHOOK}/", f"{WEBHOOK}?stream=true"):
        answer = await client.post(path, json={"message": "balance"}, headers=headers)
        assert answer.status_code == 401, path
        assert answer.json()["error"]["code"] == "unauthorized"
    assert agent.messages == []


async def test_a_caller_cannot_write_as_another_sender(rest) -> None:
    client, agent = rest
    answer = await client.post(WEBHOOK, json={"sender": "victim-1", "message": "balance"})
    assert answer.status_code == 403
    assert "sender" in answer.json()["error"]["message"]
    assert agent.messages == []


@pytest.mark.parametrize("channel", ["telegram", "rest", "Tele gram", ""])
async def test_a_caller_cannot_choose_the_channel(rest, channel) -> None:
    client, agent = rest
    answer = await client.post(WEBHOOK, json={"message": "balance", "input_channel": channel})
    assert answer.status_code == 403
    assert "input_channel" in answer.json()["error"]["message"]
    assert agent.messages == []


async def test_a_caller_cannot_reach_a_messengers_conversation(rest) -> None:
    client, agent = rest
    answer = await client.post(WEBHOOK, json={"message": "balance"}, headers=auth("tg-12345"))
    assert answer.status_code == 400
    assert agent.messages == []


async def test_without_clients_the_channel_is_off(serve) -> None:
    agent = RecordingAgent()
    url = await serve(RedactingRestInput.from_credentials({"clients": {"web": ""}}), agent=agent)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        answer = await client.post(WEBHOOK, json={"message": "hi"}, headers=auth())
    assert answer.status_code == 403
    assert agent.messages == []


async def test_over_long_message_is_answered_and_not_passed_on(rest, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_MAX_MESSAGE_CHARS", "50")
    client, agent = rest
    answer = await client.post(WEBHOOK, json={"sender": "alice", "message": "blah " * 20})
    assert answer.status_code == 200
    assert answer.json() == [{"recipient_id": "alice", "text": too_long_answer(50)}]
    assert agent.messages == []


async def test_card_numbers_and_metadata_are_protected(rest, vault) -> None:
    client, agent = rest
    answer = await client.post(
        WEBHOOK,
        json={
            "sender": "alice",
            "message": "send 20 to 4111 1111 1111 1111, pin 1234",
            "metadata": {"note": "card 4111 1111 1111 1111"},
        },
    )
    assert answer.status_code == 200
    [message] = agent.messages
    assert CTOK.fullmatch(message.text.removeprefix("send 20 to ").removesuffix(", pin [redacted]"))
    assert message.metadata == {"note": "card •••• 1111"}


@pytest.mark.parametrize("path", [f"{WEBHOOK}/", WEBHOOK])
async def test_trailing_slash_goes_through_the_guard_too(rest, vault, path) -> None:
    client, agent = rest
    answer = await client.post(path, json={"sender": "alice", "message": "pay 4111111111111111"})
    assert answer.status_code == 200
    assert CTOK.fullmatch(agent.texts[-1].removeprefix("pay "))
    refused = await client.post(path, json={"sender": "alice", "message": ["not text"]})
    assert refused.status_code == 400
    unsigned = await client.post(path, json={"message": "x" * 10**6}, headers={"Authorization": ""})
    assert unsigned.status_code == 401
    assert len(agent.messages) == 1


async def test_streamed_answers_are_guarded_too(rest, vault) -> None:
    client, agent = rest
    answer = await client.post(
        f"{WEBHOOK}?stream=true",
        json={"sender": "alice", "message": "card 4111 1111 1111 1111"},
    )
    assert answer.status_code == 200
    lines = [json.loads(line) for line in answer.text.splitlines() if line]
    assert lines == [{"recipient_id": "alice", "text": BOT_ANSWER}]
    assert CTOK.fullmatch(agent.texts[-1].removeprefix("card "))
    refused = await client.post(f"{WEBHOOK}?stream=true", json={"sender": "alice"})
    assert refused.status_code == 400


async def test_health_route_is_kept(rest) -> None:
    client, _agent = rest
    assert (await client.get("/webhooks/rest/")).json() == {"status": "ok"}


@pytest.mark.parametrize("body", [
    '{"message": "hi", "metadata": ' + '{"a": ' * 330 + '1' + '}' * 331,
    '{"message": "hi", "metadata": ' + '[' * 1023 + ']' * 1023 + '}',
    '{"message": "hi", "metadata": {"blob": "' + "x" * 100_000 + '"}}',
], ids=["330-levels", "1023-levels", "100-kB"])
async def test_deep_or_huge_metadata_is_a_clear_400(rest, body) -> None:
    """Issue 22 #6: 330-1,023 levels answered 500 (RecursionError), 10 MB was stored."""
    client, agent = rest
    answer = await client.post(WEBHOOK, content=body.encode(),
                               headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert "metadata" in answer.json()["error"]["message"]
    assert agent.messages == []


async def test_a_lone_surrogate_is_not_stored_as_is(rest) -> None:
    client, agent = rest
    body = '{"message": "hi \\ud800", "metadata": {"note": "x\\udfff"}}'
    answer = await client.post(WEBHOOK, content=body.encode(),
                               headers={"Content-Type": "application/json"})
    assert answer.status_code == 200
    [message] = agent.messages
    assert message.text == "hi \ufffd" and message.metadata == {"note": "x\ufffd"}
