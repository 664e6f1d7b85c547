"""Shared fixtures live in plugins so that each part of the system owns its own."""

from __future__ import annotations

import pytest

from tests.fixtures.services import in_ci

pytest_plugins = [
    "tests.fixtures.corebank",
    "tests.fixtures.partners",
    "tests.fixtures.assistant",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failed test (tests/fixtures/services.py): a missing
    PostgreSQL, Redis, RabbitMQ, chromium or model must not turn the run green."""
    outcome = yield
    report = outcome.get_result()
    if not in_ci() or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"CI=true: a skipped test fails the run. Skip reason: {reason}"
