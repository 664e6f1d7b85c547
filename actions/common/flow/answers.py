"""Is a message an answer to a free-text question (a name, an address, an authority)?

Free text takes anything, so the question must first rule out what is clearly something else:
"stop" / "cancel" / "not now", a question, a greeting, a hesitation ("hmm let me think", "ok so
what now") or another request the NLU is sure about. What is not an answer is left to the rules
(stop, digression), never stored as a value."""

from __future__ import annotations

import re
from typing import Any

# Intents that may carry a free-text answer ("it's Oksana", "Khreshchatyk 22, Kyiv").
ANSWER_INTENTS = frozenset({"inform", "nlu_fallback", "issue_card", "order_plastic_card"})
# Another request is trusted over the text only when the NLU is this sure of it.
OTHER_INTENT_CONFIDENCE = 0.8
# Entities that are answers to a free-text question whatever intent the NLU guessed.
ANSWER_ENTITIES = frozenset({"person_name", "address"})

_STOP_RE = re.compile(
    r"^\s*(stop|stop it|cancel|cancel it|cancel that|quit|exit|abort|enough|never ?mind|nvm|"
    r"forget it|not now|not right now|later|maybe later|no thanks|no thank you|skip|no|nope|nah|"
    r"стоп|скасувати|скасуй|відміна|не зараз|пізніше|ні|нет|не надо|отмена|хватит)\b",
    re.IGNORECASE,
)
_GREETING_RE = re.compile(
    r"^\s*(hi|hello|hey|yo|good (morning|afternoon|evening)|привіт\w*|вітаю|добрий день|"
    r"доброго ранку|здрастуйте|привет\w*|здравствуйте|добрый день)\b",
    re.IGNORECASE,
)
_HESITATION_RE = re.compile(
    r"^\s*(h+m+|u+m+|e+r+m*|ok(ay)? so|so what|what now|wait|hold on|let me (think|check|see)|"
    r"one (sec|moment|min)|idk|i don'?t know|not sure|дай подумати|зачекай|хм+)\b",
    re.IGNORECASE,
)
_QUESTION_RE = re.compile(
    r"^\s*(what|why|how|when|where|who|which|can|could|do|does|is|are|will|should|"
    r"що|чому|як|коли|де|хто|навіщо|а що|что|почему|как|зачем)\b",
    re.IGNORECASE,
)


def stop_words(text: str) -> bool:
    """"stop", "cancel", "not now" and their kin, alone or leading the message."""
    return bool(_STOP_RE.match(text or ""))


def looks_like_answer(message: dict[str, Any]) -> bool:
    text = (message.get("text") or "").strip()
    if text.startswith("/"):  # a button: an answer when it carries one ("/inform{address…}")
        return text.startswith("/inform") and bool(message.get("entities"))
    if not text:
        return False
    if stop_words(text) or _GREETING_RE.match(text) or _HESITATION_RE.match(text):
        return False
    if text.endswith("?") or (_QUESTION_RE.match(text) and not any(c.isdigit() for c in text)):
        return False
    if any(e.get("entity") in ANSWER_ENTITIES for e in message.get("entities") or []):
        return True  # the NLU found a name or an address in it
    if any(ch.isdigit() for ch in text):
        return True  # "Khreshchatyk 22", "8012": whatever the NLU guessed, it's data
    intent = message.get("intent") or {}
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    return not (name not in ANSWER_INTENTS and confidence >= OTHER_INTENT_CONFIDENCE)
