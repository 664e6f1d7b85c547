"""A throwaway stack for the webhook tests: a sandbox whose webhooks go to a real action server
(`rasa run actions` with our plugin and actions/notifications/webhooks.py), and a recording
stand-in for Rasa's HTTP API (the only thing the receiver calls:
`POST /conversations/{id}/trigger_intent`).

Rasa itself is a third-party server; the stand-in records exactly what it would have received
and can be told to fail, to test the bank's retries.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from actions.notifications.webhooks import sign
from scripts.services import Service, action_server_service, free_port, isolated_env


@dataclass
class RasaStandIn:
    port: int
    calls: list[dict] = field(default_factory=list)
    status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def triggers(self, sender: str | None = None) -> list[dict]:
        with self.lock:
            return [c for c in self.calls if sender is None or c["sender"] == sender]

    def wait_for(self, sender: str, count: int = 1, timeout: float = 15.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.triggers(sender)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.triggers(sender)


def start_rasa_stand_in() -> RasaStandIn:
    stand_in = RasaStandIn(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server naming)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            url = urlparse(self.path)
            parts = url.path.strip("/").split("/")
            status = stand_in.status
            if status < 300 and len(parts) == 3 and parts[2] == "trigger_intent":
                with stand_in.lock:
                    stand_in.calls.append({
                        "sender": parts[1], "query": parse_qs(url.query), "body": body,
                        "authorization": self.headers.get("Authorization"),
                    })  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):  # quiet
            pass

    stand_in.server = ThreadingHTTPServer(("127.0.0.1", stand_in.port), Handler)
    threading.Thread(target=stand_in.server.serve_forever, daemon=True).start()
    return stand_in


@dataclass
class WebhookStack:
    sandbox: object
    action_url: str
    rasa: RasaStandIn
    env: dict
    service: Service

    @property
    def secret(self) -> str:
        return self.env["BANK_WEBHOOK_SECRET"]

    def post_event(self, body: bytes, signature: str | None = "auto", timestamp: int | None = None):
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            when = int(time.time()) if timestamp is None else timestamp
            signature = sign(self.secret, body, when)
        if signature is not None:
            headers["X-Bank-Signature"] = signature
        return httpx.post(f"{self.action_url}/webhooks/bank", content=body, headers=headers,
                          timeout=15)


def event_body(event_type: str = "topup.succeeded", sender: str | None = None,
               event_id: str | None = None, **data) -> tuple[bytes, str, str]:
    sender = sender or f"wh-{uuid.uuid4().hex[:10]}"
    event_id = event_id or f"evt_{uuid.uuid4().hex[:20]}"
    payload = {
        "event_id": event_id, "type": event_type, "identity": f"rest:{sender}",
        "data": {"amount": "100.00", "currency": "UAH", "balance_after": "1600.00", **data},
        "created_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    return json.dumps(payload).encode(), sender, event_id


def start_webhook_stack(corebank_factory, workdir: Path, extra_env: dict | None = None):
    rasa = start_rasa_stand_in()
    action_port = free_port()
    sandbox = corebank_factory(extra_env={
        "ASSISTANT_WEBHOOK_URL": f"http://127.0.0.1:{action_port}/webhooks/bank",
        "WEBHOOK_RETRY_BASE_SECONDS": "0.3",
        **(extra_env or {}),
    })  # fmt: skip
    env = isolated_env(sandbox.env, sandbox.base_url, workdir, action_port, rasa.port)
    env["MEDIA_DIR"] = str(workdir / "media")
    service = action_server_service(action_port, workdir / "action-server.log", env)
    service.start().wait_healthy()
    return WebhookStack(sandbox, f"http://127.0.0.1:{action_port}", rasa, env, service)


@pytest.fixture(scope="session")
def webhook_stack(corebank_factory, tmp_path_factory):
    stack = start_webhook_stack(corebank_factory, tmp_path_factory.mktemp("webhooks"))
    try:
        yield stack
    finally:
        stack.service.stop()
        stack.rasa.server.shutdown()
