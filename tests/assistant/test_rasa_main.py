"""`assistant.rasa_main` starts Rasa with its API secret taken from the environment: a secret
or Rasa's URL token on the command line is refused, and the JWTs `assistant.rasa_api` mints
carry Rasa's claim layout. (The API itself is tested end to end in tests/e2e/
test_rasa_api_auth.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest

from assistant.rasa_api import DEV_SECRET, api_headers, api_token

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("RASA_JWT_SECRET", "DEV_MODE")}
    return subprocess.run([sys.executable, "-m", "assistant.rasa_main", *args], cwd=REPO,
                          env={**base, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("flag", ["--auth-token=abc", "--auth-token", "--jwt-secret=abc"])
def test_secrets_on_the_command_line_are_refused(flag):
    done = _run("run", "--enable-api", flag, RASA_JWT_SECRET="a" * 40)
    assert done.returncode != 0 and "not on the command line" in done.stderr


def test_the_api_needs_a_secret_and_not_the_dev_default():
    assert "needs RASA_JWT_SECRET" in _run("run", "--enable-api").stderr
    refused = _run("run", "--enable-api", RASA_JWT_SECRET=DEV_SECRET)
    assert "development secrets" in refused.stderr


def test_tokens_have_rasas_claims_and_expire_within_a_minute():
    secret = "s" * 40
    claims = jwt.decode(api_token(secret), secret, algorithms=["HS256"])
    assert claims["user"] == {"username": "assistant", "role": "admin"}
    assert 0 < claims["exp"] - time.time() <= 60
    header = api_headers(secret, username="rest:alice", role="user")["Authorization"]
    scheme, _, token = header.partition(" ")
    assert scheme == "Bearer"
    assert jwt.decode(token, secret, algorithms=["HS256"])["user"] == {
        "username": "rest:alice", "role": "user"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-of-enough-length-0000", algorithms=["HS256"])
