"""Show the featurizers a constant word for phone numbers, amounts and names.

Runs right after the tokenizer (like `token_placeholders.ReferencePlaceholders`): every token
inside an entity-shaped span (`entity_shapes.find_spans`) is rewritten, for featurization only,
to a placeholder word, so "my name is Marko Vovk" and "my name is Anna Ivanova" give the count
featurizers and DIET the same input, and a phone number typed in any format is one shape. The
message text is untouched, so regex entities and DIET's entity values keep the real text.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.entity_shapes import find_spans

PLACEHOLDERS = {
    "phone": "phonenumber",
    "name": "personname",
    "amount": "amountnumber",
    "ctok": "ctok",
    "otok": "otok",
    "ptok": "ptok",
}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class EntityPlaceholders(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # which span kinds to rewrite; drop one to let its real text reach the featurizers
        return {"kinds": ["phone", "name", "amount"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self.kinds = set(config.get("kinds") or [])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityPlaceholders:
        return cls(config)

    def _rewrite(self, message: Message) -> None:
        text = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        if not text or not tokens:
            return
        spans = [s for s in find_spans(text) if s.kind in self.kinds]
        if not spans:
            return
        for token in tokens:
            for span in spans:
                if token.start >= span.start and token.end <= span.end:
                    token.text = token.lemma = PLACEHOLDERS[span.kind]
                    break

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._rewrite(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._rewrite(message)
        return messages
