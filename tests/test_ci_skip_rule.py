"""The rule of tests/fixtures/services.py and the hook in tests/conftest.py, run for real in a
child pytest: a missing service (or any skip) is a visible skip locally and a failure under
CI=true, with its reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHILD_TESTS = '''
import pytest
from tests.fixtures.services import missing_service

def test_needs_a_service():
    missing_service("FakeDB is not reachable at 127.0.0.1:1")

def test_plain_skip():
    pytest.skip("some other reason")

def test_passes():
    assert True
'''


def run_child(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_child.py").write_text(CHILD_TESTS)
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_runtest_makereport\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "-q", str(tmp_path),
         "--rootdir", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_locally_a_missing_service_is_a_loud_skip(tmp_path) -> None:
    child = run_child(tmp_path, ci=None)
    assert child.returncode == 0, child.stdout
    assert "!!! SKIPPED (service missing): FakeDB is not reachable" in child.stdout
    assert "1 passed, 2 skipped" in child.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_under_ci_a_missing_service_fails_with_its_reason(tmp_path, ci) -> None:
    child = run_child(tmp_path, ci=ci)
    assert child.returncode == 1, child.stdout
    assert "CI=true and a required service is missing: FakeDB is not reachable" in child.stdout
    assert "a skipped test fails the run. Skip reason: Skipped: some other reason" in child.stdout
    assert "2 failed, 1 passed" in child.stdout
