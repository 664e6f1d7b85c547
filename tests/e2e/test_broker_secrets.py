"""Rasa's event broker (RabbitMQ, what the bank's analytics would consume) must not carry secrets
either: a second Rasa of the session's stack publishes every event to a throwaway queue, the
customers type card numbers, codes and a PIN, and the independent scanner
(tests/security/scanner.py) reads every message on the queue.

The full-stack corpus run: every message of the sensitive corpus (tests/security/corpus.py,
>= 200 messages in every shape, plus the secrets hidden in message metadata) goes through the real
REST channel of that Rasa (SQL tracker store + Pika event broker on RabbitMQ), with the session's
action server and sandbox running; then EVERY tracker row, EVERY broker message and EVERY log
line of Rasa (at DEBUG), the action server and the sandbox are scanned: zero findings.

Needs RabbitMQ on 127.0.0.1:5672 (guest/guest; TEST_RABBITMQ_* override): skipped loudly when it
is down, a failure under CI=true (tests/fixtures/services.py)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid

import pytest

from scripts.services import REPO_ROOT, free_port, rasa_service
from tests.e2e.helpers import DEMO_PHONE
from tests.fixtures.assistant import ChatClient
from tests.fixtures.services import require_rabbitmq
from tests.security.corpus import CORPUS, METADATA
from tests.security.scanner import Scanner, scan_text

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
    service.command.append("--debug")  # the log scans see everything Rasa can print
    try:
        service.start().wait_healthy()
        chat = ChatClient(f"http://127.0.0.1:{port}", secret=env["REST_LOCAL_CLIENT_SECRET"])
        chat.tracker_db = workdir / "tracker.db"
        yield chat, queue, service
        chat.close()
    finally:
        service.stop()
        asyncio.run(_delete_queue(queue))


async def _connect():
    import aio_pika

    return await aio_pika.connect_robust(host=HOST, port=PORT, login=USER, password=PASSWORD)


def _drain_until_quiet(queue_name: str, sender: str, rounds: int = 40) -> list[str]:
    """Every message on the queue, read until the last sender's events arrived and two reads in
    a row found nothing new (the broker publishes asynchronously)."""
    bodies, quiet = [], 0
    for _ in range(rounds):
        new = asyncio.run(_drain(queue_name))
        bodies += new
        seen_last = any(sender in body for body in bodies)
        quiet = quiet + 1 if not new else 0
        if seen_last and quiet >= 2:
            break
        asyncio.run(asyncio.sleep(0.5))
    return bodies


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


def _readable(text: str) -> str:
    """JSON with its Unicode unescaped (\\uff15 would hide a fullwidth 5 from the scan)."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def test_full_corpus_through_the_whole_stack_leaves_no_secret(broker_stack, action_server,
                                                              corebank) -> None:
    chat, queue, rasa = broker_stack
    typed = {f"corpus {i}": secret for i, (_, secret) in enumerate(CORPUS)}
    typed |= {f"metadata {i}": secret for i, (_, secret) in enumerate(METADATA)}
    senders, replies = [], []
    for start in range(0, len(CORPUS), 25):  # a fresh conversation every 25 messages
        sender = chat.new_sender("corpus")
        senders.append(sender)
        for text, _ in CORPUS[start:start + 25]:
            replies += chat.send(sender, text)
    sender = chat.new_sender("corpus-meta")
    senders.append(sender)
    for metadata, _ in METADATA:
        replies += chat.send(sender, "hello", metadata=metadata)
    assert len(CORPUS) >= 200

    bodies = _drain_until_quiet(queue, senders[-1])
    events = [json.loads(body) for body in bodies]
    users = [e for e in events if e.get("event") == "user" and e.get("sender_id") in senders]
    assert len(users) >= len(CORPUS) + len(METADATA), "every message should reach the broker"

    with sqlite3.connect(chat.tracker_db) as db:
        rows = list(db.execute("select * from events"))
    assert len(rows) > len(CORPUS)

    scanner, findings = Scanner(typed), []
    for reply in replies:
        findings += scanner.scan(json.dumps(reply, ensure_ascii=False), "reply")
    for row in rows:  # every column but the row id (row 846 exists in a big store)
        text = " ".join(_readable(str(column)) for column in row[1:])
        findings += scanner.scan(text, f"tracker row {row[0]}")
    for body in bodies:
        findings += scanner.scan(_readable(body), "broker: " + body[:120])
    for name, log in [("rasa", rasa.log_path.read_text(errors="replace")),
                      ("action server", action_server.log_text()),
                      ("sandbox", corebank.log_text())]:
        assert log.strip(), f"{name} wrote no log"
        for number, line in enumerate(log.splitlines(), 1):
            findings += scanner.scan(line, f"{name} log line {number}: {line[:160]}")
    assert findings == [], "\n".join(f"{f.kind} {f.what} in {f.context}" for f in findings[:40])
    # The scans were meaningful: Rasa logged the (tokenized) messages, the broker carried them.
    assert "ctok_" in rasa.log_path.read_text(errors="replace")
    assert any("ctok_" in body for body in bodies)
