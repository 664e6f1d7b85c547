"""The make-test gate on the shared dev set (bench/nlu_dev_score.py --thresholds): the verdict
against the recorded figures, and a missing dev set under CI=true."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.nlu_dev_score import gate

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "nlu" / "dev_thresholds.json"


def _recorded() -> dict:
    return json.loads(RECORDED.read_text())


def test_the_recorded_figures_meet_the_issue_targets():
    recorded = _recorded()
    assert recorded["tolerance"] == 0.02
    assert recorded["in_scope_accuracy"] >= 0.85 and recorded["oos_caught"] >= 0.85


def test_within_two_points_passes_and_below_fails():
    recorded = _recorded()
    ok = {"in_scope_accuracy": recorded["in_scope_accuracy"] - 0.019,
          "oos_caught": recorded["oos_caught"] - 0.02}  # fmt: skip
    assert gate(ok, RECORDED) == []
    low_in_scope = {**ok, "in_scope_accuracy": recorded["in_scope_accuracy"] - 0.021}
    assert [f.split()[0] for f in gate(low_in_scope, RECORDED)] == ["in-scope"]
    low_oos = {**ok, "oos_caught": recorded["oos_caught"] - 0.03}
    assert [f.split()[0] for f in gate(low_oos, RECORDED)] == ["out-of-scope"]


def _run_without_dev_set(tmp_path: Path, ci: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NLU_DEV_DIR": str(tmp_path / "nowhere"), "CI": ci}
    env.pop("NLU_DEV_CSV", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "nlu_dev_score.py"), "--thresholds", str(RECORDED)],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def test_missing_dev_set_fails_under_ci(tmp_path):
    result = _run_without_dev_set(tmp_path, "true")
    assert result.returncode == 2
    assert "dev set is missing" in result.stderr and "NLU_DEV_DIR" in result.stderr


def test_missing_dev_set_is_skipped_loudly_locally(tmp_path):
    result = _run_without_dev_set(tmp_path, "")
    assert result.returncode == 0
    assert "NLU dev gate SKIPPED" in result.stderr
