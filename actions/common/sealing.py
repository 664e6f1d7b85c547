"""Form values kept sealed in slots (e.g. a date of birth until the bank has it): encrypted with a
key derived (HKDF-SHA256) from `SLOT_SEALING_KEY`, a secret only the action server holds (not
the action-server token, which Rasa holds too), so the tracker store holds only ciphertext
that Rasa cannot open. `unseal` gives None for a value sealed under another key: the form asks
again."""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_PREFIX = "sealed:"
_KEY_INFO = b"card-form-seal"  # part of the key derivation: changing it unseals nothing old


def _fernet() -> Fernet:
    secret = (os.environ.get("SLOT_SEALING_KEY") or "dev-slot-sealing-key").encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def seal(value: str) -> str:
    return SEALED_PREFIX + _fernet().encrypt(value.encode()).decode()


def unseal(value: Any) -> str | None:
    """The clear value of a sealed slot (a value that was never sealed comes back as it is)."""
    if not isinstance(value, str):
        return None
    if not value.startswith(SEALED_PREFIX):
        return value
    try:
        return _fernet().decrypt(value[len(SEALED_PREFIX) :].encode()).decode()
    except InvalidToken:
        return None  # sealed under another secret: ask again
