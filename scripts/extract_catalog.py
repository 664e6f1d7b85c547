"""Move the responses' texts out of domain.yml into the catalog (responses/<language>/<cap>.yml).

Re-runnable and idempotent (docs/responses.md "Re-running the extraction"):
- reads domain.yml's `responses:` block, section by section (`# === <cap>` markers);
- a response with texts in domain.yml goes to responses/en/<cap>.yml. When the catalog has it
  too, the domain's texts win if they changed since the last extraction (responses/.baseline.json
  records a fingerprint of what each extraction took from the domain), so a branch merged later
  that edited a reply in domain.yml brings its edit, and a domain.yml that merely still carries
  the old text does not undo what was changed in the catalog since;
- a response only in the catalog is kept;
- domain.yml keeps only the names (`utter_x: []`: Rasa then knows the response exists for
  `rasa data validate`, forms and policies, and the NLG renders it from the catalog);
- the domain's `language` slot (which catalog to answer from) is added when missing.

Running it twice changes nothing. `--check` exits 1 when a run would change something.

    .venv/bin/python -m scripts.extract_catalog [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

REPO_ROOT = Path(__file__).resolve().parent.parent
DOMAIN = REPO_ROOT / "domain.yml"
CATALOG = REPO_ROOT / "responses"
SOURCE_LANGUAGE = "en"  # the language domain.yml's texts are written in
BASELINE = CATALOG / ".baseline.json"
DEFAULT_SECTION = "shared"

TOP_KEY = re.compile(r"^[A-Za-z_][\w]*:")
MARKER = re.compile(r"^  # === (\w+)")
RESPONSE_KEY = re.compile(r"^  (utter_\w+):")
NAMES_HEADER = (
    "  # Only the names: the texts are in the catalog, responses/<language>/<capability>.yml,\n"
    "  # rendered by the responses service (docs/responses.md). A response added here with its\n"
    "  # texts moves there on the next `.venv/bin/python -m scripts.extract_catalog`.\n"
)
LANGUAGE_SLOT = "  # === basics: the customer's language " + "=" * 53 + """
  language:
    # Which catalog the replies come from (responses/<language>/): English only for now.
    type: categorical
    values:
      - en
    initial_value: en
    influence_conversation: false
    mappings:
      - type: custom
"""
FILE_HEADER = (
    "# {cap}: what the assistant says ({language}). Edited here and reviewed in git, or live\n"
    "# through the responses service's editor (docs/responses.md). Same format as Rasa's\n"
    "# domain responses: variations, `condition:`, `channel:`, buttons, image, custom.\n"
)


def fingerprint(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def plain(value):
    """A ruamel round-trip value as plain dicts / lists / strings (for comparing)."""
    return json.loads(json.dumps(value, default=str))


def block_bounds(lines: list[str], key: str) -> tuple[int, int]:
    """[start, end) of a top-level key's block (start: the `key:` line)."""
    start = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
    if start is None:
        raise SystemExit(f"domain.yml has no top-level `{key}:`")
    end = next((i for i in range(start + 1, len(lines)) if TOP_KEY.match(lines[i])), len(lines))
    return start, end


def domain_sections(lines: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Section order and the section of every response name, from the text of the block."""
    order: list[str] = []
    section_of: dict[str, str] = {}
    current = DEFAULT_SECTION
    for line in lines[start + 1 : end]:
        if marker := MARKER.match(line):
            current = marker.group(1)
            if current not in order:
                order.append(current)
        elif key := RESPONSE_KEY.match(line):
            section_of[key.group(1)] = current
            if current not in order:
                order.append(current)
    return order, section_of


def response_comments(lines: list[str], start: int, end: int) -> dict[str, list[str]]:
    """The designers' comments inside each response (they move with it to the catalog)."""
    comments: dict[str, list[str]] = {}
    current = None
    for line in lines[start + 1 : end]:
        if MARKER.match(line):
            current = None
        elif key := RESPONSE_KEY.match(line):
            current = key.group(1)
        elif current and line.lstrip().startswith("#"):
            comments.setdefault(current, []).append(line.strip()[1:].strip())
    return comments


def marker_lines(lines: list[str], start: int, end: int) -> dict[str, str]:
    return {m.group(1): line for line in lines[start + 1 : end] if (m := MARKER.match(line))}


def yaml_rt() -> YAML:
    yaml = YAML()  # round trip: the catalog files keep their comments and layout
    yaml.width = 4096  # one line per text: no escaped line breaks, clean diffs
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def load_catalog_file(path: Path) -> CommentedMap:
    if not path.exists():
        return CommentedMap()
    data = yaml_rt().load(path.read_text())
    return data if isinstance(data, CommentedMap) else CommentedMap()


def dump(data: CommentedMap, cap: str, language: str) -> str:
    buffer = io.StringIO()
    yaml_rt().dump(data, buffer)
    body = buffer.getvalue()
    header = FILE_HEADER.format(cap=cap, language=language)
    return body if body.startswith(header) else header + body


def ensure_language_slot(lines: list[str]) -> list[str]:
    start, end = block_bounds(lines, "slots")
    if any(line.startswith("  language:") for line in lines[start + 1 : end]):
        return lines
    return lines[: start + 1] + LANGUAGE_SLOT.splitlines(keepends=True) + lines[start + 1 :]


def extract(check: bool = False, domain: Path = DOMAIN, catalog: Path = CATALOG) -> list[str]:
    """Do (or with `check`, only plan) the extraction; returns what changed."""
    baseline_path = catalog / BASELINE.name
    text = domain.read_text()
    lines = text.splitlines(keepends=True)
    start, end = block_bounds(lines, "responses")
    order, section_of = domain_sections(lines, start, end)
    markers = marker_lines(lines, start, end)
    comments = response_comments(lines, start, end)
    from ruamel.yaml import YAML as SafeYAML

    responses = SafeYAML(typ="safe", pure=True).load(text).get("responses") or {}
    baseline: dict[str, str] = (json.loads(baseline_path.read_text())
                                if baseline_path.exists() else {})
    new_baseline = dict(baseline)
    lang_dir = catalog / SOURCE_LANGUAGE
    files = {p.stem: load_catalog_file(p) for p in sorted(lang_dir.glob("*.yml"))}
    before = {p.stem: p.read_text() for p in lang_dir.glob("*.yml")}
    changes: list[str] = []

    for name, cap in section_of.items():
        value = plain(responses.get(name))
        if not value:  # a name only: its texts are already in the catalog
            continue
        digest = fingerprint(value)
        owner = next((c for c, data in files.items() if name in data), None)
        in_catalog = files[owner][name] if owner else None
        if in_catalog is not None and baseline.get(name) == digest:
            pass  # the domain still has what was extracted: the catalog's (maybe newer) text stays
        elif in_catalog is None or plain(in_catalog) != plain(value):
            changes.append(f"{name}: domain.yml -> responses/{SOURCE_LANGUAGE}/{cap}.yml")
            target = files.setdefault(cap, CommentedMap())
            if owner and owner != cap:
                del files[owner][name]
            target[name] = value
            if comments.get(name) and in_catalog is None:
                target.yaml_set_comment_before_after_key(name, before="\n".join(comments[name]))
        new_baseline[name] = digest
        if owner and owner != cap and name in files[owner]:  # moved to another capability
            files.setdefault(cap, CommentedMap())[name] = files[owner].pop(name)

    in_domain = set(section_of)
    catalog_only = sorted(n for data in files.values() for n in data if n not in in_domain)
    if catalog_only:
        print(f"kept (only in the catalog, not in domain.yml): {', '.join(catalog_only)}")

    # domain.yml: the block keeps its markers, and one `utter_x: []` per response.
    block = ["responses:\n", NAMES_HEADER]
    for cap in order:
        names = [n for n, c in section_of.items() if c == cap]
        block.append("\n")
        block.append(markers.get(cap, f"  # === {cap} " + "=" * 80 + "\n")[:96].rstrip() + "\n")
        block.extend(f"  {name}: []\n" for name in names)
    tail = lines[end:]
    new_lines = lines[:start] + block + (["\n"] if tail else []) + tail
    new_lines = ensure_language_slot(new_lines)
    new_domain = "".join(new_lines)
    if new_domain != text:
        changes.append("domain.yml: response texts replaced by their names")

    rendered = {cap: dump(data, cap, SOURCE_LANGUAGE) for cap, data in files.items() if data}
    for cap, body in rendered.items():
        if before.get(cap) != body:
            changes.append(f"responses/{SOURCE_LANGUAGE}/{cap}.yml written")
    baseline_text = json.dumps(dict(sorted(new_baseline.items())), indent=1) + "\n"
    if not baseline_path.exists() or baseline_path.read_text() != baseline_text:
        changes.append(f"responses/{BASELINE.name} updated")
    if check:
        return changes
    lang_dir.mkdir(parents=True, exist_ok=True)
    for cap, body in rendered.items():
        path = lang_dir / f"{cap}.yml"
        if not path.exists() or path.read_text() != body:
            path.write_text(body)
    if new_domain != text:
        domain.write_text(new_domain)
    baseline_path.write_text(baseline_text)
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a run would change files")
    args = parser.parse_args(argv)
    changes = extract(check=args.check)
    for change in changes:
        print(change)
    if not changes:
        print("catalog and domain.yml already in step: nothing to do")
    return 1 if (args.check and changes) else 0


if __name__ == "__main__":
    sys.exit(main())
