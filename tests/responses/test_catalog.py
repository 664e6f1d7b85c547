"""The catalog (responses/<language>/<capability>.yml) checked before anything ships:
- every response the domain names, and every one rules, stories, test stories and actions use,
  exists in every language;
- the domain keeps only names (the texts live in the catalog, scripts/extract_catalog.py);
- placeholders and button payloads are the same in every language, and random variations (same
  condition and channel) need the same placeholders;
- each messenger's limits hold (responses_service/limits.py): button titles, buttons per
  message, text lengths, Telegram's 64-byte callback data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from responses_service.catalog import DEFAULT_LANGUAGE, load_files, placeholders
from responses_service.limits import button_problems, variation_problems

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_files()
LANGUAGES = sorted(CATALOG)
UTTER_LITERAL = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")
UTTER_STEP = re.compile(r"^\s*-?\s*action:\s*(utter_[a-z0-9_]+)\s*$", re.MULTILINE)


def domain() -> dict:
    return YAML(typ="safe", pure=True).load((ROOT / "domain.yml").read_text())


def used_in_conversations() -> dict[str, str]:
    """utter_* steps of data/ and tests/stories/ -> a file using it."""
    used: dict[str, str] = {}
    for folder in (ROOT / "data", ROOT / "tests" / "stories"):
        for path in folder.rglob("*.yml"):
            for name in UTTER_STEP.findall(path.read_text()):
                used.setdefault(name, str(path.relative_to(ROOT)))
    return used


def used_in_actions() -> dict[str, str]:
    used: dict[str, str] = {}
    for path in (ROOT / "actions").rglob("*.py"):
        for name in UTTER_LITERAL.findall(path.read_text()):
            used.setdefault(name, str(path.relative_to(ROOT)))
    return used


def test_there_is_a_catalog_in_the_default_language():
    assert DEFAULT_LANGUAGE in CATALOG and len(CATALOG[DEFAULT_LANGUAGE]) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_response_used_exists_in_every_language(language):
    catalog = CATALOG[language]
    names = {name: "domain.yml" for name in domain()["responses"]}
    names.update(used_in_conversations())
    names.update(used_in_actions())
    missing = {name: where for name, where in names.items() if name not in catalog}
    assert not missing, f"not in responses/{language}/: {missing}"


def test_the_domain_keeps_only_the_names():
    with_texts = [name for name, value in domain()["responses"].items() if value]
    assert not with_texts, (
        f"texts in domain.yml: {with_texts}. Run `.venv/bin/python -m scripts.extract_catalog`")


def test_every_response_in_the_catalog_is_known_to_the_domain():
    """A response only in the catalog could never be sent (Rasa knows actions by the domain)."""
    names = set(domain()["responses"])
    unknown = {lang: sorted(set(responses) - names) for lang, responses in CATALOG.items()}
    assert not any(unknown.values()), unknown


def test_placeholders_and_payloads_match_the_default_language():
    """(Holds trivially while English is the only language; the next one is checked here.)"""
    for language in LANGUAGES:
        for name, variations in CATALOG[DEFAULT_LANGUAGE].items():
            other = CATALOG[language].get(name)
            assert other is not None, f"{name} missing in {language}"
            assert placeholders(other) == placeholders(variations), (language, name)
            assert payloads(other) == payloads(variations), (language, name)


def payloads(variations: list[dict]) -> set[str]:
    return {str(b.get("payload") or b.get("url")) for v in variations
            for b in (v.get("buttons") or [])}


@pytest.mark.parametrize("language", LANGUAGES)
def test_random_variations_need_the_same_placeholders(language):
    """Rasa picks one of the variations that share a condition and a channel at random: each
    must be fillable from the same values."""
    differing = []
    for name, variations in CATALOG[language].items():
        groups: dict[str, list[set[str]]] = {}
        for v in variations:
            key = repr((v.get("condition"), v.get("channel")))
            groups.setdefault(key, []).append(placeholders(v))
        if any(len({frozenset(p) for p in group}) > 1 for group in groups.values()):
            differing.append(name)
    assert not differing, differing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_variation_fits_every_messenger(language):
    problems = {f"{name}[{i}]": p for name, variations in CATALOG[language].items()
                for i, v in enumerate(variations) if (p := variation_problems(v))}
    assert not problems, problems


@pytest.mark.parametrize(("button", "problem"), [
    ({"title": "Get the Digital Tariff Card", "payload": "/issue_card"}, "27 characters"),
    ({"title": "Pay", "payload": "/inform" + '{"bill_provider": "kyivvodokanal_water_x"}' * 2},
     "Telegram callback data"),
    ({"title": "Pay"}, "needs a payload or a url"),
    ({"title": "", "payload": "/affirm"}, "needs a title"),
])
def test_the_limit_checks_catch_what_messengers_would_cut(button, problem):
    assert any(problem in p for p in button_problems(button)), button_problems(button)


def test_too_many_buttons_and_a_long_text_with_buttons_are_caught():
    many = {"text": "Pick one", "buttons": [{"title": f"B{i}", "payload": f"/b{i}"}
                                             for i in range(11)]}
    assert any("11 buttons" in p for p in variation_problems(many))
    long = {"text": "x" * 1100, "buttons": [{"title": "Ok", "payload": "/affirm"}]}
    assert any("WhatsApp" in p for p in variation_problems(long))
