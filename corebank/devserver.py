"""Start a throwaway corebank sandbox as a subprocess (tests, bench, other packages' tests).

    with CorebankProcess.start(database_url=...) as bank:
        bank.base_url, bank.get_token("payments"), bank.sms_code("+380501112233")

`throwaway_postgres()` creates a uniquely named PostgreSQL database and drops it afterwards.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from corebank.core.settings import REPO_ROOT

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CODE_RE = re.compile(r"\b(\d{6})\b")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> bool:
    """True when the PostgreSQL server at TEST_POSTGRES_URL accepts us; False only when nothing
    listens there (not reachable). Any other problem (wrong credentials, missing role or
    database, a broken server) raises: that is a broken set-up, not a missing service."""
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN_URL)
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2).close()
    except OSError:
        return False
    psycopg2.connect(PG_ADMIN_URL, connect_timeout=5).close()
    return True


@contextlib.contextmanager
def throwaway_postgres(prefix: str = "corebank_test"):
    """Yield the SQLAlchemy URL of a fresh database; dropped (forcefully) on exit."""
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg2://", 1)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@dataclass
class CorebankProcess:
    base_url: str
    env: dict
    process: subprocess.Popen
    log_path: Path
    workdir: Path
    realm: str = "bank"
    _tokens: dict = field(default_factory=dict)
    _http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        """A shared keep-alive client on base_url (module-level httpx calls cost ~15 ms each)."""
        if self._http is None:
            self._http = httpx.Client(base_url=self.base_url, timeout=30)
        return self._http

    # --- credentials exposed to tests ---
    @property
    def admin_token(self) -> str:
        return self.env["SANDBOX_ADMIN_TOKEN"]

    @property
    def client_id(self) -> str:
        return self.env["COREBANK_CLIENT_ID"]

    @property
    def client_secret(self) -> str:
        return self.env["COREBANK_CLIENT_SECRET"]

    @property
    def ops_client_id(self) -> str:
        return self.env["COREBANK_OPS_CLIENT_ID"]

    @property
    def ops_client_secret(self) -> str:
        return self.env["COREBANK_OPS_CLIENT_SECRET"]

    @property
    def soap_user(self) -> str:
        return self.env["COREBANK_SOAP_USER"]

    @property
    def soap_password(self) -> str:
        return self.env["COREBANK_SOAP_PASSWORD"]

    @property
    def webhook_secret(self) -> str:
        return self.env["BANK_WEBHOOK_SECRET"]

    @property
    def database_url(self) -> str:
        return self.env["COREBANK_DATABASE_URL"]

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/realms/{self.realm}/protocol/openid-connect/token"

    # --- lifecycle ---
    @classmethod
    def start(cls, database_url: str | None = None, extra_env: dict | None = None,
              workers: int = 1, timeout: float = 60.0) -> CorebankProcess:
        workdir = Path(tempfile.mkdtemp(prefix="corebank-"))
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "COREBANK_DATABASE_URL")}
        env.update({
            "COREBANK_HOST": "127.0.0.1",
            "COREBANK_PORT": str(port),
            "COREBANK_URL": base_url,
            "COREBANK_PUBLIC_URL": base_url,
            "COREBANK_DATABASE_URL": database_url or f"sqlite:///{workdir / 'corebank.db'}",
            "COREBANK_KEY_DIR": str(workdir / "keys"),
            "COREBANK_REALM": "bank",
            "COREBANK_CLIENT_ID": "test-assistant",
            "COREBANK_CLIENT_SECRET": secrets.token_urlsafe(24),
            "COREBANK_OPS_CLIENT_ID": "test-bank-ops",
            "COREBANK_OPS_CLIENT_SECRET": secrets.token_urlsafe(24),
            "COREBANK_SOAP_USER": "test-soap",
            "COREBANK_SOAP_PASSWORD": secrets.token_urlsafe(24),
            "SANDBOX_ADMIN_TOKEN": secrets.token_urlsafe(24),
            "BANK_WEBHOOK_SECRET": secrets.token_urlsafe(24),
            "SANDBOX_STAFF_PASSWORD": secrets.token_urlsafe(16),  # staff sign-in (staff.py)
            "COREBANK_WORKERS": str(workers),
            "COREBANK_LOG_LEVEL": "info",
            "COREBANK_HANG_SECONDS": "30",
            "PYTHONUNBUFFERED": "1",
            # tests log the demo customers in hundreds of times; the limit tests set their own
            "DEV_MODE": "1",  # a throwaway sandbox (some secrets may keep their dev defaults)
            "OTP_SENDS_PER_PHONE": "100000",
            "OTP_SENDS_PER_IDENTITY": "100000",
        })
        env.update({k: str(v) for k, v in (extra_env or {}).items()})
        log_path = workdir / "corebank.log"
        log = open(log_path, "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "corebank"], cwd=REPO_ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        bank = cls(base_url=base_url, env=env, process=process, log_path=log_path,
                   workdir=workdir, realm=env["COREBANK_REALM"])
        bank._wait_ready(timeout)
        return bank

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"corebank exited early:\n{self.log_tail()}")
            try:
                if self.http.get("/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"corebank did not become ready:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # our own process group only
                self.process.wait(timeout=5)

    def __enter__(self) -> CorebankProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- helpers ---
    def get_token(self, scope: str | None = None) -> str:
        """Access token (cached until 30 s before expiry); scope=None -> the assistant client's
        whole allow-list. `ledger` is never the assistant's: it comes from the ops client."""
        cached = self._tokens.get(scope)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        if scope == "ledger":
            client_id, client_secret = self.ops_client_id, self.ops_client_secret
        else:
            client_id, client_secret = self.client_id, self.client_secret
        form = {"grant_type": "client_credentials", "client_id": client_id,
                "client_secret": client_secret}
        if scope:
            form["scope"] = scope
        resp = self.http.post(self.token_url, data=form, timeout=10)
        resp.raise_for_status()
        body = resp.json()
        self._tokens[scope] = (body["access_token"], time.monotonic() + body["expires_in"] - 30)
        return body["access_token"]

    def headers(self, scope: str | None = None, identity: str | None = None,
                idempotency_key: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.get_token(scope)}"}
        if identity:
            headers["X-Messenger-Identity"] = identity
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def client(self, scope: str | None = None, identity: str | None = None,
               timeout: float = 10.0) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers=self.headers(scope, identity),
                            timeout=timeout)

    def admin_headers(self) -> dict:
        return {"X-Sandbox-Token": self.admin_token}

    def sms_messages(self, phone: str | None = None, limit: int = 20) -> list[dict]:
        params = {"limit": limit}
        if phone:
            params["phone"] = phone
        resp = self.http.get("/sandbox/sms", params=params,
                         headers=self.admin_headers(), timeout=10)
        resp.raise_for_status()
        return resp.json()["messages"]

    def sms_code(self, phone: str) -> str:
        """The code in the latest SMS to phone."""
        for message in self.sms_messages(phone, limit=1):
            match = CODE_RE.search(message["text"])
            if match:
                return match.group(1)
        raise LookupError(f"no code sent to {phone[:6]}…")

    def set_faults(self, latency_ms: int = 0, error_rate: float = 0.0, hang: bool = False,
                   paths: list[str] | None = None, answer_latency_ms: int = 0) -> dict:
        resp = self.http.put("/sandbox/faults", headers=self.admin_headers(),
                         json={"latency_ms": latency_ms, "error_rate": error_rate, "hang": hang,
                               "paths": paths, "answer_latency_ms": answer_latency_ms},
                         timeout=10)
        resp.raise_for_status()
        return resp.json()

    def clear_faults(self) -> None:
        self.http.delete("/sandbox/faults", headers=self.admin_headers(),
                     timeout=10).raise_for_status()

    def reset(self) -> None:
        self.http.post("/sandbox/reset", headers=self.admin_headers(),
                   timeout=60).raise_for_status()

    def login(self, phone: str, identity: str) -> dict:
        """Full OTP login: challenge, read the SMS, verify. Returns the verify body."""
        headers = self.headers("customers")
        resp = self.http.post("/api/v1/auth/otp", headers=headers,
                          json={"phone": phone, "identity": identity}, timeout=10)
        resp.raise_for_status()
        challenge_id = resp.json()["challenge_id"]
        resp = self.http.post(f"/api/v1/auth/otp/{challenge_id}/verify",
                          headers=headers, json={"code": self.sms_code(phone)}, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def check_ledger(self) -> dict:
        resp = self.http.get("/api/v1/ledger/check",
                         headers=self.headers("ledger"), timeout=30)
        resp.raise_for_status()
        return resp.json()

    def open_account(self, balance: str = "0.00", currency: str = "UAH",
                     credit_limit: str = "0.00") -> str:
        """A fresh customer-kind ledger account funded from settlement (tests and bench)."""
        headers = self.headers("ledger")
        resp = self.http.post("/api/v1/ledger/accounts", headers=headers,
                          json={"currency": currency, "credit_limit": credit_limit}, timeout=10)
        resp.raise_for_status()
        account_id = resp.json()["account_id"]
        if balance not in ("0", "0.00"):
            settlement = self.system_account("settlement", currency)
            resp = self.http.post("/api/v1/ledger/transfers",
                              headers={**headers, "Idempotency-Key": f"fund-{account_id}"},
                              json={"from_account": settlement, "to_account": account_id,
                                    "amount": balance, "currency": currency,
                                    "description": "Test funding"}, timeout=10)
            resp.raise_for_status()
        return account_id

    def system_account(self, kind: str, currency: str = "UAH") -> str:
        resp = self.http.get("/api/v1/ledger/accounts",
                         params={"kind": kind, "currency": currency},
                         headers=self.headers("ledger"), timeout=10)
        resp.raise_for_status()
        return resp.json()[0]["account_id"]

    def balance(self, account_id: str) -> str:
        resp = self.http.get(f"/api/v1/ledger/accounts/{account_id}",
                         headers=self.headers("ledger"), timeout=10)
        resp.raise_for_status()
        return resp.json()["balance"]
