"""Let regex-extracted entities win over DIET's guesses for the same text.

Token-shaped entities (vault references in the formats of `bankclient.refs`, phone numbers) have
exact patterns (docs/architecture.md, "NLU contract"). DIET also learns them from the annotated
examples and, working from character n-grams, can label an OTP reference as a `card_token` —
dangerous in a transfer form that fills its card slot from that entity. This component runs
after both extractors and keeps, for any span the RegexEntityExtractor found, only the regex
entity; DIET predictions of the regex-only entity types are dropped altogether.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, EXTRACTOR
from rasa.shared.nlu.training_data.message import Message

REGEX_EXTRACTOR = "RegexEntityExtractor"


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("start", 0) < b.get("end", 0) and b.get("start", 0) < a.get("end", 0)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RegexEntityPriority(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"regex_only_entities": ["card_token", "otp_ref", "passport_ref"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self.regex_only = set(config.get("regex_only_entities") or [])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RegexEntityPriority:
        return cls(config)

    def keep(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from_regex = [e for e in entities if e.get(EXTRACTOR) == REGEX_EXTRACTOR]
        kept = []
        for entity in entities:
            if entity.get(EXTRACTOR) != REGEX_EXTRACTOR:
                if entity.get("entity") in self.regex_only:
                    continue
                if any(_overlaps(entity, r) for r in from_regex):
                    continue
            kept.append(entity)
        return kept

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES)
            if entities:
                message.set(ENTITIES, self.keep(entities), add_to_output=True)
        return messages
