"""A corebank sandbox process per test module, a webhook receiver, and API helpers.

The domain tests (cards, kyc, transfers, payments, secure pages) start their own sandbox
(rather than the shared `corebank` fixture) because they need extra environment: the webhook
receiver's URL and, for the expiry tests, short TTLs. Their directories' conftest.py files
take the `webhook_receiver` and `bank` fixtures from here.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from corebank.webhooks.signing import SIGNATURE_HEADER, verify

REPO = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "test-webhook-secret-" + secrets.token_hex(4)
ADMIN = "test-admin-" + secrets.token_hex(4)
CLIENT_SECRET = "test-client-secret"
OPS_CLIENT_SECRET = "test-ops-secret-" + secrets.token_hex(4)
SCOPES = "customers accounts payments cards vault"  # the assistant's client: never `ledger`

# Demo data seeded by the sandbox (corebank/seed.py)
ANNA_PHONE, ANNA_CARD = "+380501112233", "5168740000000016"  # verified, 25,000 UAH, tariff
TARAS_PHONE, TARAS_CARD = "+380671234567", "4149490000000023"  # basic, 1,500 UAH
OLENA_CARD_FROZEN = "5351450000000035"
IRYNA_CARD_BLOCKED, IRYNA_CARD = "4149490000000049", "4149490000000056"
OTHER_BANK_CARD = "4111111111111111"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebhookReceiver:
    """Tiny HTTP server that checks X-Bank-Signature and records events.
    `fail_next` makes it answer 500 that many times (to exercise retries)."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.attempts: list[dict] = []
        self.bad_signatures = 0
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verify(WEBHOOK_SECRET, raw, self.headers.get(SIGNATURE_HEADER))
                with receiver.lock:
                    event = json.loads(raw)
                    receiver.attempts.append(event)
                    if not ok:
                        receiver.bad_signatures += 1
                        status = 401
                    elif receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status = 500
                    else:
                        if all(e["event_id"] != event["event_id"] for e in receiver.events):
                            receiver.events.append(event)
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/bank"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for event in self.events:
                    if predicate(event):
                        return event
            time.sleep(0.05)
        raise AssertionError(f"no matching webhook; got {self.events}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def run_sandbox(tmp_path: Path, webhook_url: str, **extra_env: str):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COREBANK_HOST": "127.0.0.1",
        "COREBANK_PORT": str(port),
        "COREBANK_URL": url,
        "COREBANK_PUBLIC_URL": url,
        "COREBANK_DATABASE_URL": extra_env.pop("database_url", None)
        or f"sqlite:///{tmp_path / 'corebank.db'}",
        "COREBANK_KEY_DIR": str(tmp_path / "keys"),
        "COREBANK_CLIENT_SECRET": CLIENT_SECRET,
        "COREBANK_OPS_CLIENT_ID": "bank-ops",
        "COREBANK_OPS_CLIENT_SECRET": OPS_CLIENT_SECRET,
        "SANDBOX_ADMIN_TOKEN": ADMIN,
        "BANK_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ASSISTANT_WEBHOOK_URL": webhook_url,
        "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
        "FEATURES_SWEEP_SECONDS": "0.5",
        "COREBANK_LOG_LEVEL": "warning",
        "DEV_MODE": "1",  # a throwaway sandbox
        "OTP_SENDS_PER_PHONE": "100000",  # the demo customers log in many times per module
        "OTP_SENDS_PER_IDENTITY": "100000",
        **extra_env,
    }
    env.pop("DATABASE_URL", None)
    log = open(tmp_path / "corebank.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "corebank", "serve"], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "corebank.log").read_text()[-3000:])
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Bank:
    """Thin API client: a service token, identities, login via the SMS outbox."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=15)
        response = self.http.post(
            "/realms/bank/protocol/openid-connect/token",
            data={"grant_type": "client_credentials", "client_id": "assistant",
                  "client_secret": CLIENT_SECRET, "scope": SCOPES})
        response.raise_for_status()
        self.token = response.json()["access_token"]
        # The internal ledger API has its own client (least privilege).
        response = self.http.post(
            "/realms/bank/protocol/openid-connect/token",
            data={"grant_type": "client_credentials", "client_id": "bank-ops",
                  "client_secret": OPS_CLIENT_SECRET, "scope": "ledger"})
        response.raise_for_status()
        self.ops_token = response.json()["access_token"]
        self.phones: dict[str, str] = {}

    def headers(self, identity: str | None = None, key: str | None = None,
                path: str = "") -> dict:
        token = self.ops_token if path.startswith("/api/v1/ledger") else self.token
        h = {"Authorization": f"Bearer {token}"}
        if identity:
            h["X-Messenger-Identity"] = identity
        if key:
            h["Idempotency-Key"] = key
        return h

    def get(self, path: str, identity: str | None = None, **kw) -> httpx.Response:
        return self.http.get(path, headers=self.headers(identity, path=path), **kw)

    def post(self, path: str, body: object = None, identity: str | None = None,
             key: str | None = None) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.headers(identity, key, path))

    def last_code(self, phone: str) -> str:
        r = self.http.get("/sandbox/sms", params={"phone": phone, "limit": 1},
                          headers={"X-Sandbox-Token": ADMIN})
        text = r.json()["messages"][0]["text"]
        return next(w for w in text.split() if w.isdigit() and len(w) == 6)

    def login(self, phone: str | None = None) -> str:
        """Log a (new, if no phone) customer in; returns the messenger identity."""
        phone = phone or f"+38066{secrets.randbelow(10**7):07d}"
        identity = f"test:{secrets.token_hex(6)}"
        r = self.post("/api/v1/auth/otp", {"phone": phone, "identity": identity})
        assert r.status_code == 200, r.text
        challenge = r.json()["challenge_id"]
        r = self.post(f"/api/v1/auth/otp/{challenge}/verify", {"code": self.last_code(phone)})
        assert r.status_code == 200, r.text
        self.phones[identity] = phone
        return identity

    def step_up(self, identity: str, phone: str, reference: str) -> str:
        r = self.post("/api/v1/me/step-up", {"purpose": "transfer", "reference": reference},
                      identity)
        assert r.status_code == 200, r.text
        r = self.post(f"/api/v1/auth/otp/{r.json()['challenge_id']}/verify",
                      {"code": self.last_code(phone)})
        assert r.status_code == 200, r.text
        return r.json()["step_up_token"]

    def tokenize(self, pan: str) -> str:
        r = self.post("/api/v1/vault/cards", {"pan": pan})
        assert r.status_code in (200, 201), r.text
        return r.json()["card_token"]

    def account(self, identity: str, currency: str = "UAH") -> dict:
        r = self.get("/api/v1/me/accounts", identity)
        assert r.status_code == 200, r.text
        return next(a for a in r.json() if a["currency"] == currency)

    def balance(self, identity: str) -> Decimal:
        return Decimal(self.account(identity)["balance"])

    def ledger_check(self) -> dict:
        r = self.get("/api/v1/ledger/check")
        assert r.status_code == 200, r.text
        return r.json()

    def assert_balanced(self) -> dict:
        check = self.ledger_check()
        assert check["balanced"], check
        return check

    def new_card_holder(self, tier: str = "basic") -> str:
        identity = self.login()
        r = self.post("/api/v1/me/cards", {"tier": tier, "holder_name": "Test Person"},
                      identity, key=secrets.token_hex(8))
        assert r.status_code == 201, r.text
        return identity


def error_code(response: httpx.Response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture(scope="module")
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def bank(tmp_path_factory, webhook_receiver) -> Bank:
    tmp = tmp_path_factory.mktemp("corebank-sandbox")
    with run_sandbox(tmp, webhook_receiver.url) as url:
        client = Bank(url)
        yield client
        client.http.close()


# --- page and API helpers ------------------------------------------------------------------

def nonce(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def path(bank: Bank, url: str) -> str:
    assert url.startswith(bank.url)
    return url[len(bank.url):]


def state(html: str) -> str:
    return re.search(r'id="page" data-state="([^"]+)"', html).group(1)


def new_topup(bank, identity, amount="250.00", key=None):
    r = bank.post("/api/v1/me/topups", {"amount": amount, "currency": "UAH"}, identity,
                  key or secrets.token_hex(8))
    assert r.status_code == 201, r.text
    return r.json()


# A KYC application that passes; tests change one field at a time.
ADULT = {
    "full_name": "Petro Bondarenko",
    "date_of_birth": "1990-05-17",
    "address": "Kyiv, Khreshchatyk St 1, apt 5",
    "passport_number": "ME123456",
    "passport_issue_date": "2008-06-01",
    "passport_authority": "Kyiv city department",
    "consent": True,
}


def kyc(bank, identity, **changes):
    return bank.post("/api/v1/me/kyc", {**ADULT, **changes}, identity)
