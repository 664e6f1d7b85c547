"""Rasa's event broker (RabbitMQ, what the bank's analytics would consume) must not carry secrets
either: a second Rasa of the session's stack publishes every event to a throwaway queue, the
customers type card numbers, codes and a PIN, and the independent scanner
(tests/security/scanner.py) reads every message on the queue.

Needs RabbitMQ on 127.0.0.1:5672 (guest/guest; TEST_RABBITMQ_* override): skipped loudly when it
is down, a failure under CI=true (tests/fixtures/services.py)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import pytest

from scripts.services import REPO_ROOT, free_port, rasa_service
from tests.e2e.helpers import DEMO_PHONE
from tests.fixtures.assistant import ChatClient
from tests.fixtures.services import require_rabbitmq
from tests.security.scanner import scan_text

HOST = os.environ.get("TEST_RABBITMQ_HOST", "127.0.0.1")
PORT = int(os.environ.get("TEST_RABBITMQ_PORT", "5672"))
USER = os.environ.get("TEST_RABBITMQ_USER", "guest")
PASSWORD = os.environ.get("TEST_RABBITMQ_PASSWORD", "guest")
TYPED = {
    "card": "4111 1111 1111 1111",
    "card2": "5555-5555-5555-4444",
    "pin": "7319",
    "cvv": "846",
    "passport": "KX4821937",
    "new pin": "4827",
    "new password": "Tr1cky-Lantern-9",
}


@pytest.fixture(scope="module")
def broker_stack(assistant_env, action_server, trained_model, tmp_path_factory):
    require_rabbitmq(HOST, PORT)
    workdir = tmp_path_factory.mktemp("broker")
    queue = f"rasa_test_{uuid.uuid4().hex[:10]}"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        (REPO_ROOT / "endpoints.yml").read_text()
        + "\nevent_broker:\n  type: pika\n"
        + f"  url: {HOST}\n  port: {PORT}\n  username: {USER}\n  password: {PASSWORD}\n"
        + f"  queues:\n    - {queue}\n"
    )
    port = free_port()
    env = {
        **assistant_env.env,
        "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
    }
    service = rasa_service(port, workdir / "rasa.log", env, model=trained_model)
    at = service.command.index("--endpoints")
    service.command[at + 1] = str(endpoints)
    try:
        service.start().wait_healthy()
        chat = ChatClient(f"http://127.0.0.1:{port}", secret=env["REST_LOCAL_CLIENT_SECRET"])
        yield chat, queue, service
        chat.close()
    finally:
        service.stop()
        asyncio.run(_delete_queue(queue))


async def _connect():
    import aio_pika

    return await aio_pika.connect_robust(host=HOST, port=PORT, login=USER, password=PASSWORD)


async def _drain(queue_name: str) -> list[str]:
    connection = await _connect()
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        bodies = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            bodies.append(message.body.decode("utf-8", errors="replace"))
        return bodies


async def _delete_queue(queue_name: str) -> None:
    connection = await _connect()
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)


def test_broker_messages_carry_no_secrets(broker_stack, corebank) -> None:
    chat, queue, _ = broker_stack
    sender = chat.new_sender("broker")
    for text in [
        f"send 200 uah to {TYPED['card']} please",
        f"my card is {TYPED['card2']}",
        f"my pin is {TYPED['pin']} and cvv {TYPED['cvv']}",
        f"my passport is {TYPED['passport']}",
    ]:
        chat.send(sender, text)
    chat.send(sender, "/restart")
    otp_sender = chat.new_sender("broker-otp")
    chat.send(otp_sender, "/login")
    chat.send(otp_sender, DEMO_PHONE)
    code = corebank.sms_code(DEMO_PHONE)
    chat.send(otp_sender, code)
    # Logged in, a customer types the new PIN / password into the chat anyway.
    chat.send(otp_sender, f"change my pin to {TYPED['new pin']}")
    chat.send(otp_sender, f"my new password is {TYPED['new password']}")

    bodies = []
    for _ in range(20):  # the broker publishes asynchronously: wait for the last event
        bodies += asyncio.run(_drain(queue))
        if any(otp_sender in body and '"user"' in body for body in bodies) and len(bodies) > 20:
            break
        asyncio.run(asyncio.sleep(0.5))
    events = [json.loads(body) for body in bodies]
    assert {e.get("sender_id") for e in events} >= {sender, otp_sender}
    users = [e for e in events if e.get("event") == "user"]
    assert len(users) >= 6, "the broker should have carried every customer message"
    findings = []
    for body in bodies:
        readable = json.dumps(json.loads(body), ensure_ascii=False)
        findings += scan_text(readable, {**TYPED, "otp": code}, where=readable[:200])
    assert findings == []
