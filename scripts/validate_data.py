"""`make validate`: `rasa data validate`, without the warnings about names that are used on purpose
where Rasa 3.6's validator does not look.

Rasa's validator counts a response as used only when a story or rule utters it, and an intent
only when the NLU data has examples of it. Listing a response under the domain's `actions:` does
not change that (rasa/validator.py `verify_utterances_in_stories` compares with the stories'
events only). Here a warning is dropped when the name is used on purpose:
- a response a form asks with (`utter_ask_<form>_<slot>`, `utter_ask_<slot>` of its slots);
- a response one of Rasa's default actions utters (`utter_restart`, ...);
- a response or intent named in the Python code that uses it (actions/, assistant/:
  `dispatcher.utter_message(response="utter_…")`, an intent the channels or the bank's webhook
  trigger, e.g. `EXTERNAL_*`), or listed under `actions:` in domain.yml;
- an intent a slot mapping reads (`intent:` of domain.yml's slot mappings, e.g. `inform`).
Everything else Rasa prints is shown unchanged, and the exit code is Rasa's. `--all` shows every
warning. `python -m scripts.validate_data [--all] [rasa data validate options]`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from scripts.services import REPO_ROOT, VENV_BIN

CODE_DIRS = ("actions", "assistant")
# rasa/core/actions/action.py: responses Rasa's default actions utter when the domain has them.
RASA_DEFAULT_RESPONSES = {"utter_restart", "utter_back", "utter_default", "utter_ask_rephrase"}
UNUSED_RESPONSE = re.compile(r"The utterance '([^']+)' is not used in any story or rule\.")
UNUSED_INTENT = re.compile(r"The intent '([^']+)' is not used in any story or rule\.")
INTENT_WITHOUT_NLU = re.compile(
    r"The intent '([^']+)' is listed in the domain file, but is not found in the NLU")
# A new message in Rasa's output: a warning ("<file>:<line>: SomethingWarning: ...") or a log line.
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MESSAGE_START = re.compile(r"^(/\S+:\d+: \w*Warning: |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )")


def form_asks(domain: dict) -> set[str]:
    """`utter_ask_<slot>` of every form's required slots, and `utter_ask_<form>_<slot>` of any
    slot (a form's validation action may request slots beyond its list, e.g. a step-up
    `otp_code`; the name says which form asks it)."""
    asks: set[str] = set()
    slots = set(domain.get("slots") or {})
    for form, spec in (domain.get("forms") or {}).items():
        asks |= {f"utter_ask_{form}_{slot}" for slot in slots}
        for slot in (spec or {}).get("required_slots") or []:
            asks.add(f"utter_ask_{slot}")
    return asks


def mapping_intents(domain: dict) -> set[str]:
    intents: set[str] = set()
    for slot in (domain.get("slots") or {}).values():
        for mapping in (slot or {}).get("mappings") or []:
            for key in ("intent", "not_intent"):
                value = mapping.get(key)
                intents |= set([value] if isinstance(value, str) else value or [])
    return intents


def named_in_code(names: set[str], root: Path = REPO_ROOT) -> set[str]:
    text = "\n".join(p.read_text(errors="replace") for d in CODE_DIRS
                     for p in (root / d).rglob("*.py"))
    words = set(re.findall(r"[A-Za-z0-9_]+", text))
    return names & words


def used_on_purpose(domain: dict, root: Path = REPO_ROOT) -> set[str]:
    responses = set(domain.get("responses") or {})
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []}
    declared = {a for a in domain.get("actions") or [] if isinstance(a, str)}
    return (form_asks(domain) | RASA_DEFAULT_RESPONSES | mapping_intents(domain)
            | (declared & responses) | named_in_code(responses | intents, root))


def messages(output: str) -> list[str]:
    """Rasa's output cut into messages (a warning runs over several lines)."""
    found: list[str] = []
    for line in output.splitlines(keepends=True):
        if MESSAGE_START.match(ANSI.sub("", line)) or not found:
            found.append(line)
        else:
            found[-1] += line
    return found


# Libraries' deprecation notices on import (SQLAlchemy, pkg_resources, jax): not about the data.
LIBRARY_DEPRECATION = re.compile(
    r"^/\S+/site-packages/\S+:\d+: (\w*Deprecat\w*|MovedIn20Warning): ")


def is_on_purpose(message: str, on_purpose: set[str]) -> bool:
    plain = ANSI.sub("", message)
    if LIBRARY_DEPRECATION.match(plain):
        return True
    for pattern in (UNUSED_RESPONSE, UNUSED_INTENT, INTENT_WITHOUT_NLU):
        match = pattern.search(plain)
        if match:
            return match.group(1) in on_purpose
    return False


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    args = [a for a in argv if a != "--all"]
    run = subprocess.run([str(VENV_BIN / "rasa"), "data", "validate", *args], cwd=REPO_ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())
    on_purpose = set() if show_all else used_on_purpose(domain)
    hidden = 0
    for message in messages(run.stdout):
        if is_on_purpose(message, on_purpose):
            hidden += 1 if "Warning: " in message else 0
        else:
            sys.stdout.write(message)
    if hidden:
        print(f"\x1b[0m(validate: {hidden} notices not shown: names used on purpose (forms, "
              "Rasa's default actions, actions/ code, slot mappings), library deprecations; "
              "--all shows them)")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
