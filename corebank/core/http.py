"""Small helpers of the JSON APIs: text fields of a request body, public URLs in responses."""

from __future__ import annotations

from corebank.core.errors import BankError
from corebank.core.settings import get_settings


def public_url(path: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}{path}"


def require_str(payload: dict, name: str, *, max_len: int, min_len: int = 1,
                required: bool = True) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not min_len <= len(value.strip()) <= max_len:
        raise BankError("invalid_request",
                        f"'{name}' must be text of {min_len} to {max_len} characters.",
                        field=name)
    return value.strip()
