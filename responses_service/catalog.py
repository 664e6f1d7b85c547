"""The catalog: responses/<language>/<capability>.yml, and rendering one response like Rasa.

A file holds Rasa domain responses (name -> variations). Rendering reuses Rasa's own
TemplatedNaturalLanguageGenerator, so variations (random choice), `condition:` on slots,
`channel:` variants and `{placeholder}` filling from slots and the action's arguments behave
exactly as they did when the texts were in domain.yml.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LANGUAGE = "en"
LANGUAGE_SLOT = "language"
Responses = dict[str, list[dict[str, Any]]]
Catalog = dict[str, Responses]  # language -> responses
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")  # what Rasa's interpolator fills


def catalog_dir() -> Path:
    return Path(os.environ.get("RESPONSES_DIR") or REPO_ROOT / "responses")


def load_files(root: Path | None = None) -> Catalog:
    """Every language directory's files, merged per language (a name is in one file)."""
    root = root or catalog_dir()
    yaml = YAML(typ="safe", pure=True)
    catalog: Catalog = {}
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        responses: Responses = {}
        for path in sorted(lang_dir.glob("*.yml")):
            data = yaml.load(path.read_text(encoding="utf-8")) or {}
            for name, variations in data.items():
                if name in responses:
                    raise ValueError(f"{name} is in two files of responses/{lang_dir.name}/")
                responses[name] = variations
        catalog[lang_dir.name] = responses
    return catalog


def sections(root: Path | None = None, language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """response name -> the capability file it lives in."""
    root = root or catalog_dir()
    yaml = YAML(typ="safe", pure=True)
    return {name: path.stem for path in sorted((root / language).glob("*.yml"))
            for name in (yaml.load(path.read_text(encoding="utf-8")) or {})}


def language_of(slots: Mapping[str, Any] | None) -> str:
    value = (slots or {}).get(LANGUAGE_SLOT)
    return value if isinstance(value, str) and value else DEFAULT_LANGUAGE


class Renderer:
    """Renders from one catalog snapshot (swap the whole object to publish a new one)."""

    def __init__(self, catalog: Catalog, version: int = 0) -> None:
        self.catalog = catalog
        self.version = version
        self._generators = {lang: TemplatedNaturalLanguageGenerator(responses)
                            for lang, responses in catalog.items()}

    def has(self, name: str, language: str = DEFAULT_LANGUAGE) -> bool:
        return name in self.catalog.get(language, {}) or name in self.catalog.get(
            DEFAULT_LANGUAGE, {})

    def render(self, name: str, slots: Mapping[str, Any] | None, channel: str | None,
               arguments: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The message for `name` in the customer's language (English when that language has
        no such response yet), or None when no variation applies."""
        slots = dict(slots or {})
        for language in dict.fromkeys((language_of(slots), DEFAULT_LANGUAGE)):
            generator = self._generators.get(language)
            if generator is None or name not in self.catalog[language]:
                continue
            message = generator.generate_from_slots(
                name, slots, channel or "", **dict(arguments or {}))
            if message is not None:
                return message
        return None


def placeholders(value: Any) -> set[str]:
    """Every `{name}` a response (or one variation) fills in, wherever it is."""
    if isinstance(value, str):
        return set(PLACEHOLDER.findall(value))
    if isinstance(value, Mapping):
        return set().union(*(placeholders(v) for k, v in value.items() if k != "condition"))
    if isinstance(value, list):
        return set().union(*(placeholders(v) for v in value)) if value else set()
    return set()
