"""The responses service on its own (real process, own SQLite database) beside the session's
sandbox bank, whose OIDC realm its staff sign in at."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from scripts.services import free_port, responses_service


@pytest.fixture(scope="session")
def service(corebank, tmp_path_factory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("responses")
    port = free_port()
    env = {**corebank.env, "RESPONSES_DATABASE_URL": f"sqlite:///{workdir / 'responses.db'}",
           "RESPONSES_SERVICE_TOKEN": secrets.token_urlsafe(24),
           "RESPONSES_SESSION_KEY": secrets.token_urlsafe(32)}
    svc = responses_service(port, workdir / "responses.log", env)
    try:
        svc.start().wait_healthy()
        yield {"url": f"http://127.0.0.1:{port}", "token": env["RESPONSES_SERVICE_TOKEN"],
               "password": corebank.env["SANDBOX_STAFF_PASSWORD"], "process": svc}
    finally:
        svc.stop()
