"""Finding an invitation or campaign code in what the customer typed (the NLU leaves it in the
text: a code must never decide the intent, and it is not an entity)."""

from __future__ import annotations

import re

# INV + 4-10 letters/digits with at least one digit (so "invitation" is not a code), or a
# partner campaign code pc_<name>
CODE_RE = re.compile(
    r"(?<![A-Za-z0-9_])(INV(?=[A-Za-z]*\d)[A-Za-z0-9]{4,10}|pc_[A-Za-z0-9_]{2,30})(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
# a deep link's parameter: Telegram allows [A-Za-z0-9_-]{1,64}
START_PARAM_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def code_in(text: str | None) -> str | None:
    match = CODE_RE.search(text or "")
    if not match:
        return None
    code = match.group(1)
    return code if code.lower().startswith("pc_") else code.upper()
