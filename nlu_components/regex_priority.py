"""Let regex-extracted entities win over DIET's guesses for the same text.

Token-shaped entities (vault references in the formats of `bankclient.refs`, phone numbers) have
exact patterns (docs/architecture.md, "NLU contract"). DIET also learns them from the annotated
examples and, working from character n-grams, can label an OTP reference as a `card_token` —
dangerous in a transfer form that fills its card slot from that entity. This component runs
after both extractors and keeps, for any span the RegexEntityExtractor found, only the regex
entity; DIET predictions of the regex-only entity types are dropped altogether.

A message that is only a number ("300", "1 500", "1234567", "4455") carries no DIET entity
(a regex entity such as a phone number stays):
what the number is depends on what the bot just asked (an amount, an account number, a card's last
digits), and only the form that asked knows, so it reads the number from the text. Left to DIET,
the same bare number came out as `amount` or as nothing depending on the training data.

Likewise a number right after a word that names an identifier ("account 123456", "meter 04512",
"department 1234", "apt 5", "рахунок 4100456789") identifies something; it never counts money, so
DIET's `amount` there is dropped. And a generic word is never a tariff's name: DIET's `tariff`
on a bare "card" ("upgrade my card to the digital tariff") is dropped.

Function words are never entities: DIET's entity whose whole text is one ("for", "I") is dropped.
Closed-set entities (why a card is locked, currencies) are regex-only too: their patterns list
every value, so DIET can only add guesses, and its guesses were function words ("for", "I",
"find" as `lock_reason` in "hmm no, just freeze it for now, I might find it"). Some of them also
mean something only in some requests (`intent_entities`): "lost" is a lock reason in "I lost my
card", not in "my team lost again" or "I lost my promo code".
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, EXTRACTOR, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.entity_shapes import IDENTIFIER_CUE_RE

REGEX_EXTRACTOR = "RegexEntityExtractor"
# Words that are never a whole entity of this domain, whatever DIET guesses ("hmm no, just freeze
# it for now, I might find it" came out with `for` as a lock reason and `I` as a person's name).
FUNCTION_WORDS = (
    "a an the i i'm im me my mine it its it's you u your he she we they them this that these "
    "those to for of on in at by with from up out about as and or but so if not no yes just now "
    "is am are was were be been do did does can could will would might may must should shall "
    "find get got want need please pls hmm ok okay hi hey"
).split()
# Digits with the separators people type inside one number, an optional sign and decimals.
LONE_NUMBER_RE = re.compile(r"\s*[+\-\u2212]?\d(?:[\d\s.,()\-/]*\d)?\s*")


def _after_identifier_cue(text: str, entity: dict[str, Any]) -> bool:
    start = entity.get("start")
    return isinstance(start, int) and bool(IDENTIFIER_CUE_RE.search(text[max(0, start - 40):start]))


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("start", 0) < b.get("end", 0) and b.get("start", 0) < a.get("end", 0)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RegexEntityPriority(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "regex_only_entities": ["card_token", "otp_ref", "passport_ref"],
            # entity type -> words that alone never are its value
            "generic_words": {"tariff": ["card", "cards", "карта", "картка", "карту", "картку"]},
            # entity type -> the intents whose messages can carry it (any intent when absent)
            "intent_entities": {},
            # a statistical entity whose whole text is one of these is dropped
            "function_words": FUNCTION_WORDS,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.regex_only = set(config.get("regex_only_entities") or [])
        self.generic = {
            kind: {w.casefold() for w in words}
            for kind, words in (config.get("generic_words") or {}).items()
        }
        self.function_words = {w.casefold() for w in config.get("function_words") or []}
        self.intent_entities = {
            kind: set(intents) for kind, intents in (config.get("intent_entities") or {}).items()
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RegexEntityPriority:
        return cls(config)

    def keep(
        self,
        entities: list[dict[str, Any]],
        lone_number: bool = False,
        text: str = "",
        intent: str | None = None,
    ) -> list[dict[str, Any]]:
        """`lone_number`: the message is only a number, so DIET's guesses are all dropped."""
        from_regex = [e for e in entities if e.get(EXTRACTOR) == REGEX_EXTRACTOR]
        kept = []
        for entity in entities:
            allowed = self.intent_entities.get(entity.get("entity"))
            if allowed is not None and intent not in allowed:
                continue
            if entity.get(EXTRACTOR) != REGEX_EXTRACTOR:
                if lone_number or entity.get("entity") in self.regex_only:
                    continue
                if self._generic(entity, text) or self._function_word(entity, text):
                    continue
                if entity.get("entity") == "amount" and _after_identifier_cue(text, entity):
                    continue
                if any(_overlaps(entity, r) for r in from_regex):
                    continue
            kept.append(entity)
        return kept

    def _function_word(self, entity: dict[str, Any], text: str) -> bool:
        start, end = entity.get("start"), entity.get("end")
        span = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        return span.strip().casefold() in self.function_words

    def _generic(self, entity: dict[str, Any], text: str) -> bool:
        words = self.generic.get(entity.get("entity"))
        if not words:
            return False
        start, end = entity.get("start"), entity.get("end")
        span = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        return span.strip().casefold() in words

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES)
            if entities:
                text = message.get(TEXT) or ""
                lone_number = bool(LONE_NUMBER_RE.fullmatch(text))
                intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
                message.set(
                    ENTITIES, self.keep(entities, lone_number, text, intent), add_to_output=True
                )
        return messages
