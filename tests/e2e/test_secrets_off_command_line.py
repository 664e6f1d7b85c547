"""No secret on a command line: Rasa is started through `assistant.rasa_main`, which takes the
API's JWT secret from the environment. The process list (/proc/<pid>/cmdline of Rasa and of every
child) never shows RASA_JWT_SECRET (nor the bank's secrets), and the API still requires a JWT."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(c) for c in task.read_text().split()]
    return pids


def test_rasa_secret_is_not_on_the_command_line(rasa_server, action_server, corebank):
    secret = rasa_server.token
    for pid in _tree(rasa_server.service.pid) + _tree(action_server.service.pid):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        assert secret not in cmdline, cmdline
        assert "--auth-token" not in cmdline and "--jwt-secret" not in cmdline
        for other in (corebank.client_secret, corebank.admin_token, action_server.token):
            assert other not in cmdline
    url = f"{rasa_server.url}/status"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": secret}, timeout=10).status_code == 401
    assert httpx.get(url, headers=rasa_server.api_headers(), timeout=10).status_code == 200
