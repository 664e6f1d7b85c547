"""Fixtures of the action-server tests.

- `bank`: the bank client pointed at the session's sandbox (`corebank`), fresh per test (its own
  event loop). Test modules that need their own sandbox or settings define their own `bank`.
- `webhook_stack`: a sandbox whose webhooks reach a real action server (notifications/stack.py),
  one per test session; `stack`: the same, with the bank client pointed at its sandbox.
"""

from __future__ import annotations

import pytest

from tests.actions.helpers import WRAPPER_ENV
from tests.actions.hosted_page import use_sandbox
from tests.actions.notifications import stack as webhooks

webhook_stack = webhooks.webhook_stack  # the fixture, visible to every test under tests/actions


@pytest.fixture
async def bank(corebank, monkeypatch):
    from bankclient import close_bank, get_bank

    for name in WRAPPER_ENV:
        monkeypatch.setenv(name, corebank.env[name])
    await close_bank()
    yield get_bank()
    await close_bank()
    corebank.clear_faults()


@pytest.fixture
async def stack(webhook_stack, monkeypatch):
    """The webhook stack, with the bank client pointed at its sandbox; the ledger is checked
    after each test."""
    from bankclient import close_bank

    await use_sandbox(webhook_stack.sandbox, monkeypatch)
    yield webhook_stack
    await close_bank()
    webhook_stack.sandbox.clear_faults()
    assert webhook_stack.sandbox.check_ledger()["balanced"] is True
