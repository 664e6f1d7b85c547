"""Entity precision / recall / F1 on a held-out split of the project's own NLU training data.

Splits data/ deterministically (an example is held out when the SHA-1 of its intent and text
falls in the chosen fifth; regexes, lookup tables and synonyms stay in the training part), trains
the NLU pipeline of config.yml on the rest (about 3-6 minutes on the shared 2-core machine), parses
every held-out example with the full pipeline (DIET, regex and lookup extractors, the priority
component, synonyms) and prints per-entity P/R/F1.

A predicted entity counts as right when its type and its character span both equal the
annotation (strict). Also printed: predicted entities whose whole text is a function word ("for",
"i", "find", "it", ...), which are wrong whatever the annotation says, and the entities of a few
probe messages from issues 21 and 28.

    .venv/bin/python bench/entity_report.py [--out /tmp/entity-report] [--model M.tar.gz]
                                            [--fold 0] [--json report.json]

`--model` skips training and evaluates that model on the split (the model must have been trained
on the training part only, e.g. an earlier run's `--out` model); the held-out examples are written
to `<out>/test.yml` either way.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDS = 5
# Words that are never an entity's whole value in this domain.
FUNCTION_WORDS = {
    "a", "an", "the", "i", "me", "my", "it", "its", "it's", "to", "for", "of", "on", "in", "at",
    "by", "and", "or", "but", "so", "is", "am", "are", "was", "be", "do", "did", "just", "now",
    "not", "no", "yes", "can", "could", "might", "will", "would", "find", "get", "want", "need",
    "please", "pls", "hmm", "with", "this", "that", "you", "u", "up", "out", "from", "again",
}
PROBES = [
    "hmm no, just freeze it for now, I might find it",
    "can u freeze it again for a couple days, i left it at a friends place",
    "maybe the courier lost it?",
    "block it, it was stolen on the tram",
    "send 40 bucks to my friend",
    "top up 500 hryvnias",
    "send 20 usd to my sister",
]


def held_out(intent: str, text: str, fold: int) -> bool:
    digest = hashlib.sha1(f"{intent}\n{text}".encode()).hexdigest()
    return int(digest, 16) % FOLDS == fold


def split(fold: int):
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.training_data import TrainingData

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    data = importer.get_nlu_data()
    train, test = [], []
    for message in data.intent_examples:
        (test if held_out(message.get(INTENT), message.get(TEXT), fold) else train).append(message)

    def with_patterns(examples):
        return TrainingData(
            training_examples=examples,
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )

    return with_patterns(train), TrainingData(training_examples=test)


def write(data, path: Path) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RasaYAMLWriter().dumps(data), encoding="utf-8")


def train(train_file: Path, out: Path) -> Path:
    from rasa.model_training import train_nlu

    model = train_nlu(
        config=str(ROOT / "config.yml"),
        nlu_data=str(train_file),
        output=str(out),
        domain=str(ROOT / "domain.yml"),
        fixed_model_name="entity-report",
    )
    if not model:
        sys.exit("training failed")
    return Path(model)


def spans(entities) -> set[tuple[str, int, int]]:
    return {(e["entity"], int(e["start"]), int(e["end"])) for e in entities or []
            if "start" in e and "end" in e}


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def score(gold: list[set], predicted: list[set]) -> dict[str, dict[str, float]]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, predicted, strict=True):
        for kind, *_ in g & p:
            tp[kind] += 1
        for kind, *_ in p - g:
            fp[kind] += 1
        for kind, *_ in g - p:
            fn[kind] += 1
    report = {}
    for kind in sorted(set(tp) | set(fp) | set(fn)) + ["ALL"]:
        t = sum(tp.values()) if kind == "ALL" else tp[kind]
        f_p = sum(fp.values()) if kind == "ALL" else fp[kind]
        f_n = sum(fn.values()) if kind == "ALL" else fn[kind]
        precision = t / (t + f_p) if t + f_p else 1.0
        recall = t / (t + f_n) if t + f_n else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[kind] = {"precision": round(precision, 3), "recall": round(recall, 3),
                        "f1": round(f1, 3), "support": t + f_n, "predicted": t + f_p}
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/entity-report"))
    parser.add_argument("--model", type=Path, help="evaluate this model instead of training one")
    parser.add_argument("--fold", type=int, default=0,
                        help=f"which fifth is held out (0-{FOLDS - 1})")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--errors", action="store_true", help="list every wrong entity")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.chdir(ROOT)  # custom components are imported as nlu_components.*
    sys.path.insert(0, str(ROOT))

    from rasa.shared.nlu.constants import ENTITIES, TEXT

    train_data, test_data = split(args.fold)
    write(train_data, args.out / "train.yml")
    write(test_data, args.out / "test.yml")
    model = args.model or train(args.out / "train.yml", args.out)
    examples = test_data.intent_examples
    texts = [m.get(TEXT) for m in examples]
    everything = asyncio.run(parse_all(model, texts + PROBES))  # one model load
    parsed, probes = everything[: len(texts)], everything[len(texts):]
    gold = [spans(m.get(ENTITIES)) for m in examples]
    predicted = [spans(p.get("entities")) for p in parsed]
    report = score(gold, predicted)

    function_words = []
    for p in parsed:
        for e in p.get("entities") or []:
            value = p["text"][e["start"]:e["end"]].strip().lower()
            if value in FUNCTION_WORDS:
                function_words.append((e["entity"], value, p["text"]))

    print(f"model {model}; held out: fold {args.fold} of {FOLDS}, {len(examples)} examples, "
          f"{sum(len(g) for g in gold)} annotated entities")
    print(f"{'entity':<14}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}{'predicted':>11}")
    for kind, row in report.items():
        print(f"{kind:<14}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}"
              f"{row['support']:>9}{row['predicted']:>11}")
    print(f"function words predicted as entities: {len(function_words)}")
    for kind, value, text in function_words:
        print(f"  {kind}={value!r} in {text!r}")
    if args.errors:
        for m, g, p in zip(examples, gold, predicted, strict=True):
            if g != p:
                text = m.get(TEXT)
                print(f"  {text!r}: missed {sorted(g - p)} wrong {sorted(p - g)}")
    print("probes:")
    for p in probes:
        found = [f"{e['entity']}={p['text'][e['start']:e['end']]!r}->{e.get('value')!r}"
                 for e in p.get("entities") or []]
        print(f"  {p['text']!r}: {', '.join(found) or '-'}")
    if args.json:
        args.json.write_text(json.dumps({"entities": report, "function_words": function_words},
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
