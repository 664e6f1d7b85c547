"""After `rasa test core` (run without --fail-on-prediction-errors, so every story runs and the
full report is written): print how many test stories passed and exit 1 when any failed,
pointing at the failed stories file. `python -m scripts.story_report results`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ALL_PASSED = "None of the test stories failed"


def summary(results: Path) -> tuple[int, str]:
    failed_file = results / "failed_test_stories.yml"
    if not failed_file.exists():
        return 1, f"story-test: {failed_file} was not written: rasa test did not finish."
    counts = ""
    report = results / "story_report.json"
    if report.exists():
        conv = json.loads(report.read_text()).get("conversation_accuracy") or {}
        if conv:
            counts = f"{conv['correct']} of {conv['total']} test stories passed. "
    if ALL_PASSED in failed_file.read_text():
        return 0, f"story-test: {counts or 'all test stories passed. '}Report: {results}/"
    return 1, (f"story-test: FAILED. {counts}The failed stories, with the wrong predictions "
               f"marked `# predicted: …`: {failed_file}")


def main(argv: list[str]) -> int:
    code, message = summary(Path(argv[0] if argv else "results"))
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
