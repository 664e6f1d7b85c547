"""The regexes of the closed-set entities (data/: lock reasons, currencies) as the
RegexEntityExtractor runs them (case-insensitive): every value customers write is found, and no
function word is ever one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _regex(name: str) -> re.Pattern[str]:
    for path in sorted((ROOT / "data").rglob("nlu*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if block.get("regex") == name:
                lines = block["examples"].splitlines()
                patterns = [line[2:] for line in lines if line.startswith("- ")]
                return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    raise AssertionError(f"no regex {name!r} in data/")


def _found(name: str, text: str) -> list[str]:
    return [m.group(0) for m in _regex(name).finditer(text)]


@pytest.mark.parametrize(("text", "found"), [
    ("hmm no, just freeze it for now, I might find it", ["for now"]),
    ("can u freeze it again for a couple days, i left it at a friends place",
     ["for a couple days"]),
    ("my card got STOLEN on the tram", ["STOLEN"]),
    ("i lost my card", ["lost"]),
    ("block it temporarily", ["temporarily"]),
    ("no thanks, not for now", []),
    ("I might find it, it's somewhere at home", []),
])
def test_lock_reasons(text, found):
    assert _found("lock_reason", text) == found


@pytest.mark.parametrize(("text", "found"), [
    ("send 40 bucks", ["bucks"]),
    ("top up 500 Hryvnias", ["Hryvnias"]),
    ("20 usd to my sister", ["usd"]),
    ("100$ pls", ["$"]),
    ("переказати 200 грн", ["грн"]),
    ("50 eur", ["eur"]),
    ("i'm going to europe, is my card fine there", []),
    ("i used it for a bucket list", []),
])
def test_currencies(text, found):
    assert _found("currency", text) == found
