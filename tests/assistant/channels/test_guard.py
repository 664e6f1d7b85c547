"""The channel guard: its checks, and proof that a channel gets them by construction (no path
matching, no code of its own)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.utils.common import class_from_module_path
from sanic import Blueprint, response
from sanic.request import Request

from assistant.channels import GuardedInputChannel, MessageGuard, RedactingRestInput
from assistant.channels.guard import (
    BadMessage,
    GuardedMessage,
    arriving_message,
    check_message,
    strip_control_characters,
    too_long_answer,
)
from bankclient.refs import CARD_PREFIX, OTP_PREFIX
from tests.assistant.channels.conftest import BOT_ANSWER, RecordingAgent, store_waiting_for

CTOK = re.compile(rf"{CARD_PREFIX}[A-Za-z0-9]{{16}}")
OTOK = re.compile(rf"{OTP_PREFIX}[A-Za-z0-9]{{16}}")
CREDENTIALS = Path(__file__).resolve().parents[3] / "credentials.yml"


# ------------------------------------------------------------------ checks


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "hi", "sender_id": None},
        {"text": "hi", "sender_id": ""},
        {"text": "hi", "sender_id": "a b"},
        {"text": "hi", "sender_id": "x" * 200},
        {"text": "hi", "sender_id": False},
        {"text": None, "sender_id": "alice"},
        {"text": 42, "sender_id": "alice"},
        {"text": {"text": "hi"}, "sender_id": "alice"},
        {"text": "   \x00\x07  ", "sender_id": "alice"},
        {"text": "hi", "sender_id": "alice", "metadata": "not an object"},
        {"text": "hi", "sender_id": "alice", "input_channel": "Tele gram"},
        {"text": "hi", "sender_id": "alice", "input_channel": 7},
    ],
)
def test_bad_messages_are_refused(fields) -> None:
    with pytest.raises(BadMessage):
        check_message(arriving_message(output_channel=None, **fields))


def test_good_message_is_cleaned() -> None:
    checked = check_message(
        arriving_message(" hi\x00 there\u202e\r\n", None, 12345, input_channel="telegram")
    )
    assert (checked.sender_id, checked.text, checked.input_channel) == (
        "12345",
        "hi there",
        "telegram",
    )


def test_control_characters_are_stripped_but_lines_kept() -> None:
    assert strip_control_characters("a\x1b[31mb\tc\r\nd\x7f") == "a[31mb\tc\nd"


# ------------------------------------------------------------------ the guard itself


class NamedChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "named"


async def _admit(message: UserMessage, delivered: list | None = None) -> GuardedMessage | None:
    async def on_new_message(safe: UserMessage) -> None:
        (delivered if delivered is not None else []).append(safe)

    return await MessageGuard(on_new_message, NamedChannel()).admit(message)


async def test_over_long_message_is_answered_through_the_channel(monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_MAX_MESSAGE_CHARS", "10")
    output = CollectingOutputChannel()
    assert await _admit(UserMessage("x" * 11, output, "alice")) is None
    assert output.messages == [{"recipient_id": "alice", "text": too_long_answer(10)}]
    assert await _admit(UserMessage("x" * 10, output, "alice")) is not None


async def test_admitted_message_is_redacted_and_named() -> None:
    message = UserMessage(
        "my password: hunter2",
        CollectingOutputChannel(),
        "alice",
        metadata={"note": "cvv 123", "n": 1},
        message_id="m-1",
    )
    admitted = await _admit(message)
    assert isinstance(admitted, GuardedMessage)
    assert admitted.text == "my password: [redacted]"
    assert admitted.metadata == {"note": "cvv [redacted]", "n": 1}
    assert (admitted.sender_id, admitted.input_channel, admitted.message_id) == (
        "alice",
        "named",
        "m-1",
    )
    assert admitted.output_channel is message.output_channel
    assert message.metadata == {"note": "cvv 123", "n": 1}  # the original is not changed


async def test_an_admitted_message_is_not_checked_twice() -> None:
    admitted = await _admit(UserMessage("hello", None, "alice"))
    assert await _admit(admitted) is admitted


async def test_a_refused_message_never_reaches_rasa() -> None:
    delivered: list = []
    guard = MessageGuard(delivered.append, NamedChannel())  # type: ignore[arg-type]
    with pytest.raises(BadMessage):
        await guard(arriving_message(["not text"], None, "alice"))
    assert delivered == []


# ------------------------------------------------------------------ by construction


class PigeonInput(GuardedInputChannel):
    """A hand-written channel in Rasa's documented style, with no guard code of its own."""

    @classmethod
    def name(cls) -> str:
        return "pigeon"

    def blueprint(self, on_new_message) -> Blueprint:
        pigeon = Blueprint("pigeon_webhook", __name__)

        @pigeon.route("/coo", methods=["POST"])
        async def coo(request: Request) -> response.HTTPResponse:
            output = CollectingOutputChannel()
            body = request.json
            await on_new_message(
                UserMessage(
                    body["text"],
                    output,
                    body["from"],
                    input_channel=self.name(),
                    metadata=body.get("meta"),
                )
            )
            return response.json(output.messages)

        return pigeon


class StockRestInput(GuardedInputChannel, RestInput):
    """A stock Rasa connector behind the guard: no code at all."""

    @classmethod
    def name(cls) -> str:
        return "stock"


class StockRestInputGuardLast(RestInput, GuardedInputChannel):
    """The same with the bases the other way round: still guarded."""

    @classmethod
    def name(cls) -> str:
        return "stock_last"


@pytest.fixture
async def pigeon(serve):
    agent = RecordingAgent(await store_waiting_for("otp_code", sender="alice"))
    url = await serve(PigeonInput(), agent=agent)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def coo(sender: str, text, meta=None) -> httpx.Response:
            body = {"from": sender, "text": text, "meta": meta}
            return await client.post("/webhooks/pigeon/coo", json=body)

        yield coo, agent


async def test_a_new_channel_gets_tokenization_and_redaction(pigeon, vault) -> None:
    coo, agent = pigeon
    answer = await coo(
        "bob", "send 20 to 4111 1111 1111 1111, pin 1234\x00", {"card": "4111111111111111"}
    )
    assert answer.json() == [{"recipient_id": "bob", "text": BOT_ANSWER}]
    [message] = agent.messages
    assert isinstance(message, GuardedMessage)
    card = message.text.removeprefix("send 20 to ").removesuffix(", pin [redacted]")
    assert CTOK.fullmatch(card), message.text
    assert message.metadata == {"card": "•••• 1111"}
    assert message.input_channel == "pigeon"


async def test_a_new_channel_gets_awaited_secrets_vaulted(pigeon, vault) -> None:
    coo, agent = pigeon
    await coo("alice", "123456")  # the agent's tracker store: alice is asked for a code
    assert OTOK.fullmatch(agent.texts[-1])


async def test_a_new_channel_gets_the_length_limit(pigeon, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_MAX_MESSAGE_CHARS", "20")
    coo, agent = pigeon
    answer = await coo("bob", "a" * 21)
    assert answer.json() == [{"recipient_id": "bob", "text": too_long_answer(20)}]
    assert agent.messages == []


async def test_a_new_channel_never_passes_on_a_bad_message(pigeon) -> None:
    coo, agent = pigeon
    assert (await coo("bob", "\x00\x07")).status_code == 500  # the channel did not catch it
    assert (await coo("b o b", "hi")).status_code == 500
    assert agent.messages == []


@pytest.mark.parametrize("channel_class", [StockRestInput, StockRestInputGuardLast])
async def test_a_stock_rasa_connector_is_guarded_by_inheritance(
    serve, vault, channel_class
) -> None:
    agent = RecordingAgent()
    url = await serve(channel_class(), agent=agent)
    path = f"/webhooks/{channel_class.name()}/webhook"
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        answer = await client.post(path, json={"sender": "bob", "message": "4111111111111111"})
        assert answer.json() == [{"recipient_id": "bob", "text": BOT_ANSWER}]
        await client.post(path, json={"sender": "bob", "message": "\x00"})  # refused
    assert len(agent.messages) == 1 and CTOK.fullmatch(agent.texts[0])


def test_a_subclass_blueprint_gets_one_guard() -> None:
    seen: list = []

    class MyRestInput(RedactingRestInput):
        def blueprint(self, on_new_message):
            seen.append(on_new_message)
            return super().blueprint(on_new_message)

    async def rasa(message: UserMessage) -> None: ...

    MyRestInput().blueprint(rasa)
    [guard] = seen
    assert isinstance(guard, MessageGuard) and guard._on_new_message is rasa


def test_every_configured_channel_is_guarded() -> None:
    configured = yaml.safe_load(CREDENTIALS.read_text())
    assert configured
    for path in configured:
        assert issubclass(class_from_module_path(path), GuardedInputChannel), path


# ------------------------------------------------------------------ metadata (issue 22 #6)


def _nested(levels: int) -> dict:
    value: dict = {"leaf": "x"}
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize("levels", [17, 330, 1023, 5000])
def test_deeply_nested_metadata_is_refused_without_crashing(levels) -> None:
    with pytest.raises(BadMessage, match="nested too deep"):
        check_message(arriving_message("hi", None, "alice", metadata=_nested(levels)))
    with pytest.raises(BadMessage, match="nested too deep"):
        check_message(arriving_message("hi", None, "alice", metadata={"l": [[[[[[[[[[[[[[[[[
            "x"]]]]]]]]]]]]]]]]]}))


def test_shallow_metadata_passes_and_deep_structures_never_crash_redaction() -> None:
    checked = check_message(arriving_message("hi", None, "alice", metadata=_nested(10)))
    assert checked.metadata == _nested(10)
    from assistant.redaction import TOO_DEEP, redact_obj
    assert TOO_DEEP in str(redact_obj(_nested(3000)))  # tracker store / logs: no RecursionError


@pytest.mark.parametrize("metadata", [
    {"blob": "x" * 9000},
    {"many": ["y"] * 5000},
    {f"k{i}": i for i in range(2000)},
])
def test_oversized_metadata_is_refused(metadata) -> None:
    with pytest.raises(BadMessage, match="too large"):
        check_message(arriving_message("hi", None, "alice", metadata=metadata))


def test_lone_surrogates_are_replaced_in_text_and_metadata() -> None:
    checked = check_message(arriving_message(
        "hi \ud800 there", None, "alice", metadata={"n\udfff": ["a\ud800b", {"c": "\udc00"}]}))
    assert checked.text == "hi \ufffd there"
    assert checked.metadata == {"n\ufffd": ["a\ufffdb", {"c": "\ufffd"}]}
    checked.text.encode("utf-8")  # encodable, unlike a lone surrogate
