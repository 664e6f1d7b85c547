"""No secret on a command line: Rasa is started through `assistant.rasa_main`, which takes the
API token from the environment. The process list (/proc/<pid>/cmdline of Rasa and of every
child) never shows RASA_AUTH_TOKEN, and the API still requires it."""

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


def test_rasa_token_is_not_on_the_command_line(rasa_server, action_server, corebank):
    token = rasa_server.token
    for pid in _tree(rasa_server.service.pid) + _tree(action_server.service.pid):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        assert token not in cmdline, cmdline
        for secret in (corebank.client_secret, corebank.admin_token):
            assert secret not in cmdline
    url = f"{rasa_server.url}/status"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": token}, timeout=10).status_code == 200
