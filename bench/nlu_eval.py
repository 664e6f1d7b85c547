"""Evaluate a trained NLU model on the held-out set (text nobody trained on).

Trains nothing. Loads the model with Rasa's Agent, parses every held-out message and prints
per-intent precision/recall, overall intent accuracy, the off-topic catch rate (messages labelled
`out_of_scope` that the model classifies as `out_of_scope` or `nlu_fallback`) and the most
frequent confusions.

    .venv/bin/python bench/nlu_eval.py [--model models/xyz.tar.gz] [--data tests/nlu/holdout.yml]
                                      [--errors] [--json out.json] [--min-accuracy 0.9]

Scoring: a prediction is correct when it equals the gold intent; for `out_of_scope` messages
`nlu_fallback` also counts as correct (the assistant asks to rephrase, which is the right outcome).
For an in-scope message `nlu_fallback` is a miss.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
ROOT = Path(__file__).resolve().parent.parent


def newest_model(models_dir: Path) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        sys.exit(f"no model in {models_dir}: run `.venv/bin/rasa train nlu` first")
    return models[-1]


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get(TEXT), m.get(INTENT)) for m in data.intent_examples]


async def predict(model: Path, texts: list[str]) -> list[tuple[str, float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        intent = parsed.get("intent") or {}
        results.append((intent.get("name") or FALLBACK, float(intent.get("confidence") or 0.0)))
    return results


def is_correct(gold: str, pred: str) -> bool:
    return pred == gold or (gold == OUT_OF_SCOPE and pred == FALLBACK)


def report(examples, predictions) -> dict:
    golds = [g for _, g in examples]
    preds = [p for p, _ in predictions]
    correct = [is_correct(g, p) for g, p in zip(golds, preds, strict=True)]
    tp: Counter = Counter()
    predicted: Counter = Counter()
    support = Counter(golds)
    for g, p, ok in zip(golds, preds, correct, strict=True):
        predicted[g if ok else p] += 1
        if ok:
            tp[g] += 1
    per_intent = {}
    for intent in sorted(set(golds) | set(preds)):
        prec = tp[intent] / predicted[intent] if predicted[intent] else 0.0
        rec = tp[intent] / support[intent] if support[intent] else 0.0
        per_intent[intent] = {"precision": prec, "recall": rec, "support": support[intent]}
    oos = [ok for g, ok in zip(golds, correct, strict=True) if g == OUT_OF_SCOPE]
    in_scope = [(g, p) for g, p in zip(golds, preds, strict=True) if g != OUT_OF_SCOPE]
    confusions = Counter((g, p) for g, p, ok in zip(golds, preds, correct, strict=True) if not ok)
    errors = [
        {"text": t, "gold": g, "predicted": p, "confidence": round(c, 3)}
        for (t, g), (p, c), ok in zip(examples, predictions, correct, strict=True)
        if not ok
    ]
    return {
        "examples": len(golds),
        "accuracy": sum(correct) / len(correct),
        "in_scope_accuracy": sum(g == p for g, p in in_scope) / max(len(in_scope), 1),
        "in_scope_fallback_rate": sum(p == FALLBACK for _, p in in_scope) / max(len(in_scope), 1),
        "off_topic_catch_rate": sum(oos) / len(oos) if oos else None,
        "off_topic_examples": len(oos),
        "per_intent": per_intent,
        "confusions": [
            {"gold": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(15)
        ],
        "errors": errors,
    }


def print_report(r: dict, model: Path, data: Path, show_errors: bool) -> None:
    print(f"model: {model}\nheld-out data: {data} ({r['examples']} messages)\n")
    print(f"{'intent':<22}{'precision':>10}{'recall':>10}{'support':>9}")
    for intent, m in r["per_intent"].items():
        print(f"{intent:<22}{m['precision']:>10.2f}{m['recall']:>10.2f}{m['support']:>9}")
    print("\nmost frequent confusions (gold -> predicted):")
    for c in r["confusions"]:
        print(f"  {c['count']:>3}  {c['gold']} -> {c['predicted']}")
    if show_errors:
        print("\nmisclassified:")
        for e in r["errors"]:
            print(f"  [{e['gold']} -> {e['predicted']} {e['confidence']:.2f}] {e['text']}")
    oos = r["off_topic_catch_rate"]
    print(f"\nintent accuracy (all, fallback on off-topic counts as caught): {r['accuracy']:.1%}")
    print(f"intent accuracy (in-scope only): {r['in_scope_accuracy']:.1%}"
          f"  (fallback rate on in-scope: {r['in_scope_fallback_rate']:.1%})")
    if oos is not None:
        print(f"off-topic catch rate (out_of_scope or nlu_fallback): {oos:.1%}"
              f" of {r['off_topic_examples']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: newest in models/)")
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "nlu" / "holdout.yml")
    parser.add_argument("--errors", action="store_true", help="list every misclassified message")
    parser.add_argument("--json", type=Path, help="also write the full report as JSON here")
    parser.add_argument("--min-accuracy", type=float, help="exit 1 below this overall accuracy")
    parser.add_argument("--min-off-topic", type=float, help="exit 1 below this catch rate")
    args = parser.parse_args()

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Custom pipeline components (config.yml) are imported from the project root, as `rasa` does.
    sys.path.insert(0, str(ROOT))
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa's per-message debug lines would bury the report.
    configure_logging_and_warnings(logging.ERROR)
    configure_structlog(logging.ERROR)
    model = args.model or newest_model(ROOT / "models")
    examples = load_examples(args.data)
    predictions = asyncio.run(predict(model, [t for t, _ in examples]))
    result = report(examples, predictions)
    print_report(result, model, args.data, args.errors)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    failed = (args.min_accuracy is not None and result["accuracy"] < args.min_accuracy) or (
        args.min_off_topic is not None
        and (result["off_topic_catch_rate"] or 0.0) < args.min_off_topic
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
