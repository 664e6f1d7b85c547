"""Start a throwaway partners sandbox as a subprocess (tests, other packages' tests).

    with PartnersProcess.start() as partners:
        partners.base_url, partners.client_env, partners.set_faults(down=True), partners.stats()
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.services import REPO_ROOT, free_port


@dataclass
class PartnersProcess:
    base_url: str
    env: dict
    process: subprocess.Popen
    log_path: Path
    _http: httpx.Client | None = field(default=None)

    @property
    def api_key(self) -> str:
        return self.env["PARTNERS_API_KEY"]

    @property
    def admin_token(self) -> str:
        return self.env["PARTNERS_ADMIN_TOKEN"]

    @property
    def client_env(self) -> dict[str, str]:
        """What the bank client (action server) needs to reach this sandbox."""
        return {"PARTNERS_URL": self.base_url, "PARTNERS_API_KEY": self.api_key}

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(base_url=self.base_url, timeout=10,
                                      headers={"X-Sandbox-Token": self.admin_token})
        return self._http

    @classmethod
    def start(cls, extra_env: dict | None = None, timeout: float = 30.0) -> PartnersProcess:
        workdir = Path(tempfile.mkdtemp(prefix="partners-"))
        port = free_port()
        env = {**os.environ,
               "PARTNERS_HOST": "127.0.0.1", "PARTNERS_PORT": str(port),
               "PARTNERS_API_KEY": secrets.token_urlsafe(18),
               "PARTNERS_ADMIN_TOKEN": secrets.token_urlsafe(18),
               "PARTNERS_DATABASE_PATH": str(workdir / "partners.db"),
               "PARTNERS_HANG_SECONDS": "10", "PYTHONUNBUFFERED": "1",
               **{k: str(v) for k, v in (extra_env or {}).items()}}
        log_path = workdir / "partners.log"
        log = open(log_path, "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen([sys.executable, "-m", "partnersandbox"], cwd=REPO_ROOT,
                                   env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        me = cls(base_url=f"http://127.0.0.1:{port}", env=env, process=process,
                 log_path=log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"partnersandbox exited: {log_path.read_text()[-2000:]}")
            try:
                if me.http.get("/health", timeout=1).status_code == 200:
                    return me
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        me.stop()
        raise RuntimeError("partnersandbox did not become ready")

    def set_faults(self, latency_ms: int = 0, error_rate: float = 0.0, down: bool = False,
                   hang: bool = False) -> dict:
        resp = self.http.put("/sandbox/faults", json={"latency_ms": latency_ms,
                                                      "error_rate": error_rate, "down": down,
                                                      "hang": hang})
        resp.raise_for_status()
        return resp.json()

    def clear_faults(self) -> None:
        self.http.delete("/sandbox/faults").raise_for_status()

    def stats(self) -> dict:
        resp = self.http.get("/sandbox/stats")
        resp.raise_for_status()
        return resp.json()

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def __enter__(self) -> PartnersProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
