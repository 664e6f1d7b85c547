"""Refuse to start with a placeholder secret (Rasa and the action server).

deploy/secret.example.yaml ships `change-me` values, and a bank's own templates have theirs:
a service started with one would run with a guessable secret. Every setting whose name says it
is a secret (…_SECRET, …_TOKEN, …_PASSWORD, …_KEY, a database URL with its password) is checked
when the process starts; a placeholder stops it with the names to set (never the values).
corebank/ and partnersandbox/ (separate services) have the same check of their own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

SECRET_NAME = re.compile(r"(_SECRET|_TOKEN|_PASSWORD|_KEY|(^|_)DATABASE_URL)$")
PLACEHOLDERS = ("change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me",
                "placeholder")


def placeholder_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    return sorted(name for name, value in env.items()
                  if SECRET_NAME.search(name) and any(p in value.lower() for p in PLACEHOLDERS))


def refuse_placeholder_secrets(service: str) -> None:
    names = placeholder_secrets()
    if names:
        raise SystemExit(f"{service}: refusing to start with placeholder secrets: "
                         f"{', '.join(names)} (e.g. `change-me` from deploy/secret.example.yaml). "
                         "Set real values from the secret manager (docs/operations.md).")
