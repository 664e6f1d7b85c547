"""Start, watch and stop the three processes (corebank sandbox, action server, Rasa).

One implementation for `make run` (scripts/run.py), the pytest fixtures
(tests/fixtures/assistant.py) and the benchmark (bench/), so they all start the services the
same way: loopback only, logs to files, health checked, stopped by process group.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOGGING_CONFIG = REPO_ROOT / "assistant" / "logging.yml"
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody uses right now, below the ephemeral range (32768+ on Linux).

    A port the OS picks with bind(0) comes from the ephemeral range, where any outgoing
    connection may take it before the service binds it; ports below it are only ever taken
    by explicit binds, so the window for a clash is much smaller.
    """
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free TCP port found in 20000-32000")


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def newest_model(models_dir: Path = REPO_ROOT / "models") -> Path | None:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return 200 <= answer.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class Service:
    """One child process with a health URL and a log file."""

    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    startup_timeout: float = 60.0
    process: subprocess.Popen | None = None
    cwd: Path = REPO_ROOT

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> Service:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child until stop()
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() reaches its children too
        )
        log.close()
        return self

    def wait_healthy(self) -> Service:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode}; "
                    f"last log lines:\n{self.log_tail()}"
                )
            if http_ok(self.health_url):
                return self
            time.sleep(0.25)
        raise TimeoutError(
            f"{self.name} not healthy at {self.health_url} after {self.startup_timeout:.0f}s; "
            f"last log lines:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def corebank_service(port: int, log_path: Path, env: Mapping[str, str]) -> Service:
    url = f"http://{LOOPBACK}:{port}"
    return Service(
        name="corebank",
        command=[sys.executable, "-m", "corebank", "serve"],
        health_url=f"{url}/health",
        log_path=log_path,
        env={
            **env,
            "COREBANK_HOST": LOOPBACK,
            "COREBANK_PORT": str(port),
            "COREBANK_URL": url,
        },
    )


def partners_service(port: int, log_path: Path, env: Mapping[str, str]) -> Service:
    """The partners' API stand-in (partnersandbox/): its own process, port and API key."""
    return Service(
        name="partners sandbox",
        command=[sys.executable, "-m", "partnersandbox"],
        health_url=f"http://{LOOPBACK}:{port}/health",
        log_path=log_path,
        env={**env, "PARTNERS_HOST": LOOPBACK, "PARTNERS_PORT": str(port)},
    )


def responses_service(port: int, log_path: Path, env: Mapping[str, str]) -> Service:
    """The responses service (responses_service/): renders every reply from the catalog."""
    url = f"http://{LOOPBACK}:{port}"
    return Service(
        name="responses service",
        command=[sys.executable, "-m", "responses_service"],
        health_url=f"{url}/health",
        log_path=log_path,
        env={**env, "RESPONSES_HOST": LOOPBACK, "RESPONSES_PORT": str(port),
             "RESPONSES_URL": url, "RESPONSES_PUBLIC_URL": url},
    )


def action_server_service(port: int, log_path: Path, env: Mapping[str, str]) -> Service:
    return Service(
        name="action server",
        command=[
            str(VENV_BIN / "rasa"), "run", "actions",
            "--actions", "actions",
            "--port", str(port),
            "--logging-config-file", str(LOGGING_CONFIG),
        ],  # fmt: skip
        health_url=f"http://{LOOPBACK}:{port}/health",
        log_path=log_path,
        env={**env, "SANIC_HOST": LOOPBACK},
    )


def rasa_service(
    port: int, log_path: Path, env: Mapping[str, str], model: Path | None = None
) -> Service:
    """`rasa run` with the API enabled (JWT-protected), REST + socket.io channels. Started
    through `assistant.rasa_main`, which reads the JWT secret from the environment: no secret
    on the command line (the process list), none in URLs (assistant/rasa_api.py)."""
    model = model or newest_model()
    if model is None:
        raise FileNotFoundError("No trained model in models/: run `rasa train` first.")
    return Service(
        name="rasa",
        command=[
            sys.executable, "-m", "assistant.rasa_main", "run",
            "--enable-api",  # its JWT secret: RASA_JWT_SECRET in env (assistant/rasa_main.py)
            "--interface", LOOPBACK, "--port", str(port),
            "--model", str(model),
            "--endpoints", str(REPO_ROOT / "endpoints.yml"),
            "--credentials", str(REPO_ROOT / "credentials.yml"),
            "--logging-config-file", str(LOGGING_CONFIG),
        ],  # fmt: skip
        # The REST channel's own health route answers once the model is loaded.
        health_url=f"http://{LOOPBACK}:{port}/webhooks/rest/",
        log_path=log_path,
        env=rasa_thread_env(env),
        # Loading the model takes ~30 s on an idle 2-core machine; a loaded one (several test
        # sessions at once) may need longer: RASA_STARTUP_TIMEOUT_SECONDS raises the wait.
        startup_timeout=float(os.environ.get("RASA_STARTUP_TIMEOUT_SECONDS")
                              or os.environ.get("RASA_STARTUP_TIMEOUT") or 180.0),
    )


# One parse is a chain of small TensorFlow graphs (sentence encoder, DIET): with TF's default
# thread pools (one thread per core, twice) the threads fight each other and the other processes
# on a 2-core machine; one intra-op + one inter-op thread parses faster (14.4 ms vs
# ~20 ms per message, bench/nlu_dev_score.py). Concurrency comes from replicas, not TF threads.
# The environment wins, so an operator can give a big machine more threads.
RASA_THREAD_DEFAULTS = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def rasa_thread_env(env: Mapping[str, str]) -> dict[str, str]:
    return {**RASA_THREAD_DEFAULTS, **env}


def stop_all(services: Iterable[Service]) -> None:
    for service in reversed(list(services)):
        service.stop()


def stack_env(
    base: Mapping[str, str],
    *,
    corebank_url: str,
    action_port: int,
    rasa_port: int,
    tracker_database_url: str | None = None,
    responses_port: int | None = None,
) -> dict[str, str]:
    """Environment shared by the three processes, wired to the given ports.

    Secrets come from `base` (the caller's environment / .env); the development defaults of
    docs/architecture.md fill any gap so a test run never depends on a local .env.
    """
    env = {key: base[key] for key in base}
    for key, default in DEV_DEFAULTS.items():
        if key not in env:
            env[key] = default
            # a development default in use: say so, or the services refuse to start
            env["DEV_MODE"] = "1"
    env.update(
        COREBANK_URL=corebank_url,
        ACTION_SERVER_URL=f"http://{LOOPBACK}:{action_port}",
        ASSISTANT_WEBHOOK_URL=f"http://{LOOPBACK}:{action_port}/webhooks/bank",
        RASA_URL=f"http://{LOOPBACK}:{rasa_port}",
    )
    if responses_port is not None:
        env["RESPONSES_URL"] = f"http://{LOOPBACK}:{responses_port}"
    env.setdefault("RESPONSES_URL", f"http://{LOOPBACK}:5065")
    if tracker_database_url:
        env["TRACKER_DATABASE_URL"] = tracker_database_url
    return env


def isolated_env(
    base: Mapping[str, str], corebank_url: str, workdir: Path, action_port: int, rasa_port: int,
    responses_port: int | None = None,
) -> dict[str, str]:
    """stack_env for a throwaway stack (tests, benchmark): fresh random tokens and databases
    in `workdir`, never a shared DATABASE_URL."""
    import secrets

    env = stack_env(
        base,
        corebank_url=corebank_url,
        action_port=action_port,
        rasa_port=rasa_port,
        tracker_database_url=f"sqlite:///{workdir / 'tracker.db'}",
        responses_port=responses_port or free_port(),
    )
    env.update(
        ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
        RASA_JWT_SECRET=secrets.token_urlsafe(32),
        SLOT_SEALING_KEY=secrets.token_urlsafe(32),
        REST_LOCAL_CLIENT_SECRET=secrets.token_urlsafe(24),
        SOCKETIO_JWT_KEY=secrets.token_urlsafe(24),
        ASSISTANT_DATABASE_URL=f"sqlite:///{workdir / 'assistant.db'}",
        RESPONSES_DATABASE_URL=f"sqlite:///{workdir / 'responses.db'}",
        RESPONSES_SERVICE_TOKEN=secrets.token_urlsafe(24),
        RESPONSES_SESSION_KEY=secrets.token_urlsafe(32),
        PYTHONUNBUFFERED="1",
    )
    # Throwaway stacks log the demo customers in many times (tests, bench); the OTP send
    # limits are tested on their own sandboxes (tests/corebank/core/test_otp_limits.py).
    env.setdefault("OTP_SENDS_PER_PHONE", "100000")
    env.setdefault("OTP_SENDS_PER_IDENTITY", "100000")
    env.pop("DATABASE_URL", None)
    return env


# docs/architecture.md "Configuration": development defaults (make writes random ones to .env).
DEV_DEFAULTS = {
    "COREBANK_REALM": "bank",
    "PARTNERS_API_KEY": "dev-partners-api-key",
    "PARTNERS_ADMIN_TOKEN": "dev-partners-admin",
    "COREBANK_CLIENT_ID": "assistant",
    "COREBANK_CLIENT_SECRET": "dev-client-secret",
    "COREBANK_OPS_CLIENT_ID": "bank-ops",
    "COREBANK_OPS_CLIENT_SECRET": "dev-ops-client-secret",
    "COREBANK_SOAP_USER": "assistant",
    "COREBANK_SOAP_PASSWORD": "dev-soap-password",
    "SANDBOX_ADMIN_TOKEN": "dev-sandbox-admin",
    "BANK_WEBHOOK_SECRET": "dev-webhook-secret",
    "ACTION_SERVER_TOKEN": "dev-action-token",
    "RASA_JWT_SECRET": "dev-rasa-jwt-secret-0123456789abcdef",
    "SLOT_SEALING_KEY": "dev-slot-sealing-key",
    "RESPONSES_SERVICE_TOKEN": "dev-responses-service-token",
    "RESPONSES_SESSION_KEY": "dev-responses-session-key",
    "RESPONSES_OIDC_CLIENT_SECRET": "dev-responses-oidc-secret",
    "SANDBOX_STAFF_PASSWORD": "dev-staff-password",
    # credentials.yml (scripts/gen_env.py writes random secrets into .env)
    "REST_LOCAL_CLIENT_SECRET": "dev-rest-local-client-secret",
    "SOCKETIO_JWT_KEY": "dev-socketio-jwt-key-0123456789",
    "SOCKETIO_ALLOWED_ORIGINS": "http://127.0.0.1:5005,http://localhost:5005",
    "TELEGRAM_BOT_TOKEN": "",
    "TELEGRAM_BOT_NAME": "",
    "TELEGRAM_WEBHOOK_SECRET": "dev-telegram-webhook-secret",
    "VIBER_AUTH_TOKEN": "",
    "WHATSAPP_ACCESS_TOKEN": "",
    "WHATSAPP_PHONE_NUMBER_ID": "",
    "WHATSAPP_APP_SECRET": "dev-whatsapp-app-secret-000000",
    "WHATSAPP_VERIFY_TOKEN": "dev-whatsapp-verify-token",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "",
    "FACEBOOK_APP_SECRET": "dev-facebook-app-secret-000000",
    "FACEBOOK_VERIFY_TOKEN": "dev-facebook-verify-token",
}
