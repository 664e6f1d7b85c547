"""What the assistant is expected to say, read from the responses catalog (responses/en/) by
name, so the tests follow the designers' wording instead of copying it
(docs/conversation-design.md).

- `said(name, **params)`: the response's default text (no channel), its {params} filled in the
  way Rasa fills them, whitespace collapsed like `helpers.flat`;
- `pattern(name, **params)`: the same as a regex, with every parameter not given matching any
  text (a receipt number, a date the bank chose);
- `payloads(name)`: the payloads of the response's buttons.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from tests.e2e.helpers import flat

CATALOG = Path(__file__).resolve().parents[2] / "responses" / "en"
PARAMETER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=1)
def _responses() -> dict:
    responses: dict = {}
    for path in sorted(CATALOG.glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return responses


def response(name: str) -> dict:
    """The response's default variant (the one for every channel)."""
    variants = _responses()[name]
    return next(v for v in variants if not v.get("channel"))


def said(name: str, **params) -> str:
    text = response(name)["text"]
    missing = set(PARAMETER.findall(text)) - set(params)
    assert not missing, f"{name} needs {sorted(missing)}"
    return flat(PARAMETER.sub(lambda m: str(params[m.group(1)]), text))


def pattern(name: str, **params) -> re.Pattern:
    regex, seen = [], set()
    for i, part in enumerate(PARAMETER.split(flat(response(name)["text"]))):
        if i % 2 == 0:
            regex.append(re.escape(part))
        elif part in params:
            regex.append(re.escape(str(params[part])))
        else:
            regex.append(f"(?P={part})" if part in seen else f"(?P<{part}>.+?)")
            seen.add(part)
    return re.compile("".join(regex))


def payloads(name: str) -> list[str]:
    return [b["payload"] for b in response(name).get("buttons", [])]
