"""The confirmation rule (docs/conversation-design.md): an operation that moves money, blocks or
reissues a card, submits KYC or cannot be undone runs only on an explicit yes: the button's
payload (`/affirm`), or a typed message read as `affirm` above `FLOW_AFFIRM_THRESHOLD` with no
other intent close to it, no entity, no negation, no hedge ("ok so", "i guess") and no
question. Anything else is not a yes."""

from __future__ import annotations

import os
import re
from typing import Any

YES = "yes"
NO = "no"  # a plain "no": the flow's stop rule answers it
OTHER = "other"  # not a yes: asked again, or what the customer asked instead

AFFIRM_PAYLOADS = ("/affirm",)
# A word that turns a "yes"-sounding message into something else ("yes but no", "ok not now").
_NEGATION_RE = re.compile(
    r"(?<![\w])(no|nope|nah|not|don'?t|do not|never|stop|cancel|wait|instead|but|"
    r"ні|не|нет|стоп|стій|зачекай|почекай|відміна|скасуй)(?![\w])",
    re.IGNORECASE,
)

# A hedge: the customer is thinking aloud or about to ask ("ok so", "hmm yes", "yes i guess"),
# not saying yes. Asked again rather than executed (found chatting: "ok so" sent money).
_HEDGE_RE = re.compile(
    r"(?<![\w])(so|hmm+|um+|uh+|erm|well|maybe|perhaps|guess|think|probably|what|how|why|if|"
    r"хм+|ну|мабуть|може|напевно|наверное|что|як|чому|що)(?![\w])",
    re.IGNORECASE,
)


def affirm_threshold() -> float:
    try:
        return float(os.environ.get("FLOW_AFFIRM_THRESHOLD", "0.8"))
    except ValueError:
        return 0.8


def _intent(message: dict[str, Any]) -> tuple[str | None, float]:
    intent = message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def _runner_up(message: dict[str, Any]) -> float:
    ranking = message.get("intent_ranking") or []
    return float(ranking[1].get("confidence") or 0.0) if len(ranking) > 1 else 0.0


def read_confirmation(message: dict[str, Any]) -> str:
    """YES only for an explicit yes; NO for a plain deny; OTHER for everything else."""
    text = (message.get("text") or "").strip()
    name, confidence = _intent(message)
    if text.startswith("/"):
        payload = text.split("{", 1)[0]
        if payload in AFFIRM_PAYLOADS:
            return YES
        return NO if payload == "/deny" else OTHER
    if name == "deny":
        return NO
    if name != "affirm":
        return OTHER
    competing = _runner_up(message) >= max(0.2, confidence / 3)
    if (
        confidence < affirm_threshold()
        or competing
        or message.get("entities")
        or "?" in text
        or _NEGATION_RE.search(text)
        or _HEDGE_RE.search(text)
    ):
        return OTHER
    return YES
