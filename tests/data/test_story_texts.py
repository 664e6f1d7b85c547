"""Test stories must not be the training data read back: at most 20% of the `user:` texts under
tests/stories may be verbatim copies of an NLU training example (issue 21). A story that only
replays training sentences cannot catch an NLU regression; fresh wordings can."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MAX_VERBATIM_SHARE = 0.20
# [text](entity), [text]{"entity": ...}
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def normalise(text: str) -> str:
    return " ".join(_ANNOTATION.sub(r"\1", text).casefold().split())


def training_texts() -> set[str]:
    texts = set()
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.add(normalise(line[2:]))
    return texts


def story_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests" / "stories").glob("test_*.yml")):
        for story in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories") or []:
            for step in story.get("steps") or []:
                if isinstance(step, dict) and "user" in step:
                    texts.append(normalise(str(step["user"])))
    return texts


def verbatim_share() -> tuple[float, list[str]]:
    known = training_texts()
    texts = story_texts()
    copies = [t for t in texts if t in known]
    return len(copies) / len(texts), copies


def test_normalise_strips_entity_annotations():
    text = "Send [50](amount)  to [Anna]{\"entity\": \"person_name\"}"
    assert normalise(text) == "send 50 to anna"


def test_story_texts_are_mostly_fresh_wordings():
    assert story_texts(), "no test story texts found"
    share, copies = verbatim_share()
    assert share <= MAX_VERBATIM_SHARE, (
        f"{share:.0%} of the test-story texts are verbatim training examples "
        f"(at most {MAX_VERBATIM_SHARE:.0%}): {sorted(set(copies))}"
    )
