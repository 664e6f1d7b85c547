"""Show the featurizers a constant word instead of a vault reference's random characters.

The channel guard swaps card numbers, OTPs and passport numbers for vault references
(`bankclient.refs`, docs/architecture.md). Their random characters are noise to the character
n-gram featurizer: a fresh card token can pull "send 10 uah to <card token>" below the fallback
threshold. This component runs right after the tokenizer and rewrites such tokens to the word
naming their kind (`ctok`, `otok`, `ptok`, `stok`) for featurization only; the message text is
untouched, so the RegexEntityExtractor still extracts the real reference.
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

from bankclient.refs import REF_WORD_RE


def placeholder(word: str) -> str | None:
    """The word naming a reference's kind (`ctok` for a card token, also for the token that
    stands for an unavailable vault), None for ordinary words."""
    match = REF_WORD_RE.match(word)
    return match.group(1) if match else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ReferencePlaceholders(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ReferencePlaceholders:
        return cls()

    @staticmethod
    def _rewrite(message: Message) -> None:
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            replacement = placeholder(token.text)
            if replacement:
                token.text = replacement
                token.lemma = replacement

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._rewrite(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._rewrite(message)
        return messages
