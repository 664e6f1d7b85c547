"""The sensitive intents are listed once: the `pending_intent` slot's values in domain.yml (which
`action_check_login` reads). The login gate's `or:` list in data/auth/rules.yml must name
exactly those, and each must have the rule that serves it once the gate lets it through
(docs/adding-a-skill.md)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GATE_RULE = "the login gate checks the bank session before a sensitive request"


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def sensitive_intents() -> list[str]:
    return list(_yaml(ROOT / "domain.yml")["slots"]["pending_intent"]["values"])


def gate_intents() -> list[str]:
    rules = _yaml(ROOT / "data" / "auth" / "rules.yml")["rules"]
    gate = next(r for r in rules if r.get("rule") == GATE_RULE)
    first = gate["steps"][0]
    return [step["intent"] for step in first["or"]]


def served_intents() -> set[str]:
    served = set()
    for path in sorted((ROOT / "data").glob("*/rules.yml")):
        for rule in _yaml(path).get("rules") or []:
            for condition in rule.get("condition") or []:
                for slot in condition.get("slot_was_set") or []:
                    if isinstance(slot, dict) and slot.get("pending_intent"):
                        served.add(slot["pending_intent"])
    return served


def test_the_gate_lists_exactly_the_sensitive_intents():
    gate, sensitive = gate_intents(), sensitive_intents()
    assert len(gate) == len(set(gate)), "an intent is listed twice in the gate"
    assert set(gate) == set(sensitive), (
        f"only in data/auth/rules.yml: {sorted(set(gate) - set(sensitive))}; "
        f"only in domain.yml pending_intent: {sorted(set(sensitive) - set(gate))}"
    )


def test_every_sensitive_intent_is_an_intent_with_a_serving_rule():
    intents = set(_yaml(ROOT / "domain.yml")["intents"])
    sensitive = set(sensitive_intents())
    assert sensitive <= intents, sorted(sensitive - intents)
    assert sensitive <= served_intents(), sorted(sensitive - served_intents())
