"""Development secrets are refused unless DEV_MODE=1: the sandbox process and the action
server stop with a clear message naming the variables, instead of silently using them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SECRETS = ("COREBANK_CLIENT_SECRET", "COREBANK_OPS_CLIENT_SECRET", "COREBANK_SOAP_PASSWORD",
           "SANDBOX_ADMIN_TOKEN", "BANK_WEBHOOK_SECRET", "ACTION_SERVER_TOKEN", "RASA_JWT_SECRET",
           "SLOT_SEALING_KEY", "DEV_MODE")


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(COREBANK_PORT="9", COREBANK_DATABASE_URL="sqlite:///:memory:", **extra)
    return env


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


SANDBOX = "from corebank.__main__ import serve; serve()"
ACTIONS = "from rasa_sdk_plugins import refuse_dev_defaults; refuse_dev_defaults(); print('ok')"


def test_sandbox_refuses_dev_secrets():
    done = _run(SANDBOX, _env(SANDBOX_ADMIN_TOKEN="a-real-one"))
    assert done.returncode != 0
    assert "refusing to start with development secrets" in done.stderr
    assert "COREBANK_CLIENT_SECRET" in done.stderr and "DEV_MODE=1" in done.stderr
    assert "SANDBOX_ADMIN_TOKEN" not in done.stderr.split("secrets:")[1].split("unset")[0]
    dev = _run(SANDBOX, _env(SANDBOX_ADMIN_TOKEN="dev-sandbox-admin"))
    assert "SANDBOX_ADMIN_TOKEN" in dev.stderr  # the dev default itself counts as unset


def test_action_server_refuses_dev_secrets_unless_dev_mode():
    done = _run(ACTIONS, _env(ACTION_SERVER_TOKEN="dev-action-token"))
    assert done.returncode != 0
    assert "action server: refusing to start" in done.stderr and "SLOT_SEALING_KEY" in done.stderr
    assert _run(ACTIONS, _env(DEV_MODE="1")).stdout.strip() == "ok"
    real = {name: f"real-{name.lower()}" for name in SECRETS if name != "DEV_MODE"}
    assert _run(ACTIONS, _env(**real)).stdout.strip() == "ok"
