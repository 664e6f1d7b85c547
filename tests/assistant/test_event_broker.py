"""What Rasa's Pika event broker receives from the tracker store is redacted: a real
PikaEventBroker against the RabbitMQ on 127.0.0.1:5672 (guest/guest), a real
RedactingSQLTrackerStore on SQLite, and a consumer reading every message of a fresh queue.
Also the one-time secure link: the bot sends it, the row and the broker keep a stand-in."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid

import aio_pika
import pytest
from rasa.core.brokers.pika import PikaEventBroker
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.redaction import SECRET_LINK_STANDIN, contains_sensitive
from assistant.tracker_store import RedactingSQLTrackerStore
from tests.assistant.test_tracker_store import DOMAIN
from tests.security.corpus import CORPUS

RABBIT = ("127.0.0.1", 5672)
LINK = "http://127.0.0.1:8800/secure/Zq3x9VbN0aLkT7pYw2sR"


def _rabbit_up() -> bool:
    try:
        socket.create_connection(RABBIT, timeout=2).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _rabbit_up(), reason="RabbitMQ is not on 127.0.0.1:5672")


def _leaked(body: str, secret: str) -> bool:
    from tests.security.test_corpus import _leaks

    return _leaks(body, secret)


async def test_the_broker_receives_only_redacted_events(tmp_path):
    queue_name = f"rasa-events-test-{uuid.uuid4().hex[:10]}"
    broker = PikaEventBroker(host=RABBIT[0], port=RABBIT[1], username="guest", password="guest",
                             queues=[queue_name], connection_attempts=3,
                             retry_delay_in_seconds=1)
    await broker.connect()
    consumer = await aio_pika.connect_robust(f"amqp://guest:guest@{RABBIT[0]}:{RABBIT[1]}/")
    try:
        store = RedactingSQLTrackerStore(DOMAIN, host=f"sqlite:///{tmp_path / 'tracker.db'}",
                                         event_broker=broker)
        sender = f"broker-{uuid.uuid4().hex[:8]}"
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        sample = CORPUS[::3]  # a third of the corpus, every shape represented
        for text, _secret in sample:
            tracker.update(UserUttered(text, intent={"name": "inform", "confidence": 1.0},
                                       parse_data={"text": text, "intent": {"name": "inform"}},
                                       metadata={"raw": text, "cvv": "123"}))
            tracker.update(ActionExecuted("action_listen"))
        tracker.update(BotUttered(f"Here are your card details: {LINK}", data={"url": LINK}))
        await store.save(tracker)
        await asyncio.gather(*list(broker._background_tasks))

        channel = await consumer.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        bodies: list[str] = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            body = message.body.decode()
            # Rasa publishes to one fanout exchange: other runs on this RabbitMQ reach our queue too
            if json.loads(body).get("sender_id") == sender:
                bodies.append(body)
        assert len(bodies) == len(tracker.events)  # every event went through the broker
        everything = "\n".join(bodies)
        users = [json.loads(b) for b in bodies if json.loads(b)["event"] == "user"]
        assert len(users) == len(sample)
        for (text, secret), event in zip(sample, users, strict=True):
            # what was typed, wherever it is in the event (text, parse data, metadata)
            stored = json.dumps([event["text"], event["parse_data"], event["metadata"]],
                                ensure_ascii=False)
            assert not _leaked(stored, secret), (text, stored)
        for body in bodies:
            assert not contains_sensitive(body), body
        assert LINK not in everything and SECRET_LINK_STANDIN in everything
        assert '"cvv": "123"' not in everything

        rows = [row[0] for row in store.engine.connect().exec_driver_sql(
            "SELECT data FROM events")]
        assert LINK not in "\n".join(rows) and SECRET_LINK_STANDIN in "\n".join(rows)
        bot = [json.loads(b) for b in bodies if json.loads(b)["event"] == "bot"]
        assert bot[0]["text"] == f"Here are your card details: {SECRET_LINK_STANDIN}"
        await channel.queue_delete(queue_name)
    finally:
        await consumer.close()
        await broker.close()
