"""Fixtures for the channel tests: the sandbox vault, a Rasa-like app serving channels, and a
stand-in for Rasa's agent that records what reaches it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from rasa.core.channels.channel import InputChannel, UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bankclient import close_bank
from scripts.services import free_port

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  otp_code: {type: text, mappings: [{type: custom}]}
  passport_number: {type: text, mappings: [{type: custom}]}
forms:
  some_form: {required_slots: [otp_code, passport_number]}
"""
)

BOT_ANSWER = "ok"


@pytest.fixture(autouse=True)
def assistant_db(tmp_path, monkeypatch) -> str:
    """A throwaway assistant database (the messengers' seen deliveries, contacts, outbox)."""
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    monkeypatch.setenv("OUTBOX_RETRY_BASE_SECONDS", "0.2")
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "0.2")
    return url


@pytest.fixture
async def vault(corebank, monkeypatch):
    """The bank client pointed at the sandbox."""
    for key in ("COREBANK_URL", "COREBANK_CLIENT_ID", "COREBANK_CLIENT_SECRET", "COREBANK_REALM"):
        monkeypatch.setenv(key, corebank.env[key])
    await close_bank()
    yield corebank
    await close_bank()


@pytest.fixture
async def vault_down(monkeypatch):
    monkeypatch.setenv("COREBANK_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("BANK_TIMEOUT_SECONDS", "0.5")
    await close_bank()
    yield
    await close_bank()


async def store_waiting_for(slot_name: str | None, sender: str = "alice") -> InMemoryTrackerStore:
    """A tracker store whose conversation with `sender` waits for `slot_name`."""
    store = InMemoryTrackerStore(DOMAIN)
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    if slot_name:
        tracker.update(SlotSet("requested_slot", slot_name))
    await store.save(tracker)
    return store


class RecordingAgent:
    """Stands in for `app.ctx.agent`: records each message Rasa would get and answers "ok"."""

    def __init__(self, tracker_store: Any = None) -> None:
        self.tracker_store = tracker_store
        self.messages: list[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, BOT_ANSWER)

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.messages]


def rasa_app(*channels: InputChannel, agent: RecordingAgent) -> Sanic:
    """An app with `channels` registered the way `rasa run` registers them."""
    app = Sanic(f"channels_{uuid.uuid4().hex}")
    app.ctx.agent = agent
    register(list(channels), app, route="/webhooks/")
    return app


@pytest.fixture
async def serve(monkeypatch) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """`url = await serve(*channels, agent=agent)`: the channels on a loopback port."""
    # Sanic rewrites some of its own methods when an app starts; in test mode it keeps the
    # originals, so that several apps can start in one process.
    monkeypatch.setattr(Sanic, "test_mode", True)
    servers = []

    async def start(*channels: InputChannel, agent: RecordingAgent) -> str:
        port = free_port()
        server = await rasa_app(*channels, agent=agent).create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append(server)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
