"""Every test here drives the real stack (sandbox, action server, Rasa) over the REST channel."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter):
    """The answer times the bank-down cases recorded (`answer_seconds`): figures to report, not
    assertions (tests/e2e/test_bank_failures.py)."""
    rows = [(report.nodeid.split("::", 1)[1], value)
            for reports in terminalreporter.stats.values() for report in reports
            if getattr(report, "when", None) == "call"
            for name, value in getattr(report, "user_properties", ()) if name == "answer_seconds"]
    if rows:
        terminalreporter.write_sep("-", "answers with the bank down (REST round trip)")
        for nodeid, seconds in sorted(rows):
            terminalreporter.write_line(f"{seconds:6.2f} s  {nodeid}")
