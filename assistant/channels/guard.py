"""The channel guard: the one door between an input channel and Rasa.

Every input channel hands its messages to Rasa through the `on_new_message` callback it
receives in `blueprint()`. A channel that subclasses `GuardedInputChannel` receives a
`MessageGuard` in its place, whatever its `blueprint()` does (the base class wraps the
`blueprint` of every subclass), so there is nothing to remember and no URL to match:

    class TelegramGuardedInput(GuardedInputChannel, TelegramInput):   # a stock Rasa connector
        pass

    class PigeonInput(GuardedInputChannel):                           # a hand-written one
        def blueprint(self, on_new_message):
            ...
            await on_new_message(UserMessage(text, output, sender_id, input_channel=self.name()))

What happens to every message (docs/security.md):
1. control characters are stripped from the text; the message is refused with `BadMessage`
   (and never reaches Rasa) when it cannot be a customer's text message: a wrong sender id, a
   text that is not a string or is empty, metadata that is not an object, a malformed
   channel name;
2. an over-long message is answered ("too long") through the channel's own output and not
   passed on;
3. card numbers, passport numbers, awaited secrets and secret phrases in the text are replaced
   by vault references or "[redacted]" (`assistant.channels.protect`); the metadata is
   redacted.

How a refusal is told to the sender belongs to the transport (REST answers 400, socket.io
answers in the chat): the guard raises `BadMessage` out of the callback (a stock Rasa
connector that does not catch it logs it and answers nothing). A transport that parses raw
payloads builds its message with `arriving_message`, so that the guard sees the fields exactly
as they arrived.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage

from assistant import debug_memory, rasa_patches
from assistant.channels.protect import protect_text
from assistant.log_filter import install as install_log_redaction
from assistant.redaction import redact_obj

_CONTROL = re.compile(
    # C0/C1 controls except tab and newline, DEL, and the bidi overrides that can make a
    # message display differently from what it says.
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
# Lone surrogates (U+D800-U+DFFF) are not characters: JSON parsers let "\ud800" through, and
# the database and the logs then hold text that cannot be encoded. Replaced by U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")
SENDER_ID = re.compile(r"^[\w@.:+\-=/]{1,128}$")
_CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def max_message_chars() -> int:
    return int(os.environ.get("ASSISTANT_MAX_MESSAGE_CHARS", "2000"))


def max_metadata_chars() -> int:
    """Metadata is for a channel's own small facts (a message id, a locale), not documents."""
    return int(os.environ.get("ASSISTANT_MAX_METADATA_CHARS", "8000"))


MAX_METADATA_DEPTH = 16


def too_long_answer(limit: int) -> str:
    return (
        f"That message is too long for me (over {limit:,} characters). "
        "Could you send it again in a sentence or two?"
    )


class BadMessage(ValueError):
    """The request cannot be a customer message (malformed, wrong types)."""


def strip_control_characters(text: str) -> str:
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def checked_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadata` with lone surrogates replaced; BadMessage when it is nested deeper than
    MAX_METADATA_DEPTH or larger than `max_metadata_chars()` (counted as keys and values are
    written). Walked without recursion: a 1,000-level structure must not crash anything."""
    limit, size = max_metadata_chars(), 0
    root: dict[str, Any] = {}
    stack: list[tuple[Any, Any, Any, int]] = [(root, "m", metadata, 1)]
    while stack:
        parent, key, value, depth = stack.pop()
        if depth > MAX_METADATA_DEPTH:
            raise BadMessage(f"'metadata' is nested too deep (over {MAX_METADATA_DEPTH} levels).")
        if isinstance(value, str):
            size += len(value) + 2
            value = _SURROGATE.sub("\ufffd", value)
        elif isinstance(value, dict):
            copy: Any = {}
            for k, item in value.items():
                size += len(str(k)) + 3
                stack.append((copy, _SURROGATE.sub("\ufffd", str(k)), item, depth + 1))
            value = copy
        elif isinstance(value, list):
            copy = [None] * len(value)
            size += 2 + len(value)
            stack.extend((copy, i, item, depth + 1) for i, item in enumerate(value))
            value = copy
        else:
            size += len(str(value))
        if size > limit:
            raise BadMessage(f"'metadata' is too large (over {limit:,} characters).")
        parent[key] = value
    return root["m"]


def arriving_message(
    text: Any,
    output_channel: OutputChannel | None,
    sender_id: Any,
    *,
    input_channel: Any = None,
    metadata: Any = None,
) -> UserMessage:
    """A `UserMessage` holding the text and sender exactly as the transport received them.

    Rasa's constructor strips the text (and fails on a non-string) and turns a missing sender
    into "default"; the guard has to see what arrived to refuse it with a clear answer.
    """
    message = UserMessage(None, output_channel, None, input_channel=input_channel)
    message.text, message.sender_id, message.metadata = text, sender_id, metadata
    return message


class GuardedMessage(UserMessage):
    """A message the guard has checked and protected: what Rasa receives."""


@dataclass
class CheckedMessage:
    sender_id: str
    text: str
    metadata: dict[str, Any] | None
    input_channel: str | None = None


def check_message(message: UserMessage) -> CheckedMessage:
    """Step 1 of the module docstring: types first, then content."""
    sender = message.sender_id
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not SENDER_ID.match(sender):
        raise BadMessage(
            "'sender' must be a string of 1-128 letters, digits or @.:+-_=/ characters."
        )
    text = message.text
    if not isinstance(text, str):
        raise BadMessage("'message' must be a string (only text messages are accepted).")
    text = strip_control_characters(text).strip()
    if not text:
        raise BadMessage("'message' is empty.")
    metadata = message.metadata
    if metadata is not None and not isinstance(metadata, dict):
        raise BadMessage("'metadata' must be a JSON object.")
    if metadata is not None:
        metadata = checked_metadata(metadata)
    input_channel = message.input_channel
    if input_channel is not None and (
        not isinstance(input_channel, str) or not _CHANNEL_NAME.match(input_channel)
    ):
        raise BadMessage("'input_channel' must be a lower-case channel name.")
    return CheckedMessage(sender, text, metadata, input_channel)


_SENDER_PREFIXES: set[str] = set()


def sender_key(channel: InputChannel, sender_id: str) -> str:
    """The conversation's key in Rasa (its tracker): the platform's id behind the channel's
    `sender_prefix`, so that no channel can name another channel's conversation (trackers are
    keyed by sender id alone). A channel without a prefix (REST, socket.io) may not use a
    sender id that starts with another channel's prefix."""
    prefix = getattr(channel, "sender_prefix", "")
    if prefix:
        return prefix + sender_id
    if any(sender_id.startswith(other) for other in _SENDER_PREFIXES):
        raise BadMessage("'sender' uses a prefix reserved for a messenger's conversations.")
    return sender_id


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class MessageGuard:
    """The `on_new_message` callback a guarded channel receives instead of Rasa's."""

    def __init__(self, on_new_message: OnNewMessage, channel: InputChannel) -> None:
        self._on_new_message = on_new_message
        self._channel = channel
        self._blueprint: Any = None

    def bind(self, blueprint: Any) -> None:
        """The channel's blueprint: once registered, it leads to the Rasa agent's tracker
        store (read when a message could hold an awaited secret)."""
        self._blueprint = blueprint

    async def __call__(self, message: UserMessage) -> None:
        """Check and protect `message`, then hand it to Rasa.

        Raises `BadMessage` (and Rasa sees nothing) when the message is refused.
        """
        admitted = await self.admit(message)
        if admitted is not None:
            await self._on_new_message(admitted)

    async def admit(self, message: UserMessage) -> GuardedMessage | None:
        """The message as Rasa may see and store it, or None when the guard has answered the
        sender itself (too long). Raises `BadMessage`. For a transport that must know the
        outcome before it calls the guard to deliver (REST's streamed answers)."""
        if isinstance(message, GuardedMessage):
            return message
        checked = check_message(message)
        checked.sender_id = sender_key(self._channel, checked.sender_id)
        limit = max_message_chars()
        if len(checked.text) > limit:
            await message.output_channel.send_text_message(
                checked.sender_id, too_long_answer(limit)
            )
            return None
        text = await protect_text(checked.text, checked.sender_id, self._tracker_store())
        return GuardedMessage(
            text,
            message.output_channel,
            checked.sender_id,
            parse_data=redact_obj(message.parse_data),
            input_channel=self._input_channel(checked),
            message_id=message.message_id,
            metadata=redact_obj(checked.metadata),
        )

    def _input_channel(self, checked: CheckedMessage) -> str:
        # The one place that decides which channel a conversation turn is recorded under: the
        # channel that verified the sender, whatever the transport or the caller said.
        return self._channel.name()

    def _tracker_store(self) -> Any:
        blueprint = self._blueprint
        if blueprint is None or not getattr(blueprint, "registered", False):
            return None
        for app in blueprint.apps:
            agent = getattr(app.ctx, "agent", None)
            if agent is not None:
                return getattr(agent, "tracker_store", None)
        return None


def _guarding(blueprint_method: Callable[..., Any]) -> Callable[..., Any]:
    """`blueprint_method` with its `on_new_message` replaced by a `MessageGuard`."""

    @functools.wraps(blueprint_method)
    def blueprint(self: InputChannel, on_new_message: OnNewMessage) -> Any:
        if isinstance(on_new_message, MessageGuard):  # a subclass calling super().blueprint
            return blueprint_method(self, on_new_message)
        # Process-wide set-up every channel of the Rasa process relies on (idempotent).
        install_log_redaction()
        rasa_patches.apply()
        debug_memory.install()  # off unless ASSISTANT_TRACEMALLOC is set (bench only)
        guard = MessageGuard(on_new_message, self)
        webhook = blueprint_method(self, guard)
        guard.bind(webhook)
        return webhook

    blueprint.guards_messages = True  # type: ignore[attr-defined]
    return blueprint


class GuardedInputChannel(InputChannel):
    """Base class of every input channel: Rasa only ever gets messages through the guard.

    Any subclass's effective `blueprint` (its own, or one inherited from a Rasa connector,
    whichever order the bases are in) is wrapped when the class is created, so the
    `on_new_message` it receives is always a `MessageGuard`.
    """

    #: Put before the platform's user id to make the conversation's key (messengers set it).
    sender_prefix = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.sender_prefix:
            _SENDER_PREFIXES.add(cls.sender_prefix)
        if not getattr(cls.blueprint, "guards_messages", False):
            cls.blueprint = _guarding(cls.blueprint)  # type: ignore[method-assign]

    @_guarding
    def blueprint(self, on_new_message: OnNewMessage) -> Any:
        return super().blueprint(on_new_message)
