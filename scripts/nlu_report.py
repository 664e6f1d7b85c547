"""Print the NLU evaluation's figures on the console after `rasa test nlu` (Rasa writes them
only to files and its log). `python -m scripts.nlu_report results/nlu`."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def lines(results: Path) -> list[str]:
    report = json.loads((results / "intent_report.json").read_text())
    weighted = report.get("weighted avg", {})
    macro = report.get("macro avg", {})
    support = int(weighted.get("support", 0))
    out = [f"NLU intents ({support} examples): accuracy {report['accuracy']:.1%}, "
           f"weighted F1 {weighted.get('f1-score', 0):.1%}, "
           f"macro F1 {macro.get('f1-score', 0):.1%}"]
    entities = results / "DIETClassifier_report.json"
    if entities.exists():
        ent = json.loads(entities.read_text()).get("weighted avg", {})
        out.append(f"NLU entities (DIET): weighted F1 {ent.get('f1-score', 0):.1%}")
    out.append(f"Details: {results}/intent_report.json, {results}/intent_errors.json")
    return out


def main(argv: list[str]) -> int:
    results = Path(argv[0] if argv else "results/nlu")
    if not (results / "intent_report.json").exists():
        print(f"nlu-test: {results}/intent_report.json missing: rasa test nlu did not finish",
              file=sys.stderr)
        return 1
    print("\n".join(lines(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
