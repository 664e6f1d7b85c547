"""Typed results: every capability method returns a frozen dataclass deriving from `Result`,
built from the bank's JSON (or from a SOAP answer already mapped to JSON) by `Result.from_json`.

The field types drive the conversion: `Decimal` fields are parsed from the API's money strings,
`Result` fields from sub-objects, `tuple[X, ...]` fields from lists; `X | None` accepts null.
Fields the bank does not send take their default; fields the bank sends that a result does not
declare are ignored (a new field in the bank's answer never breaks a caller); a missing required
field or a value that does not convert is an `InvalidResponse`, as a malformed answer would be.

`to_json()` is the way back: plain JSON types (money as its decimal string), e.g. for a slot.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from .errors import InvalidResponse
from .money import from_api

R = TypeVar("R", bound="Result")


class Result:
    """Base of every typed result (subclasses are `@dataclass(frozen=True)`)."""

    @classmethod
    def from_json(cls: type[R], data: Any) -> R:
        if not isinstance(data, Mapping):
            raise InvalidResponse(f"expected a JSON object for {cls.__name__}")
        hints = _hints(cls)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if not f.init:
                continue
            if f.name not in data:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise InvalidResponse(f"bank answer lacks {f.name} ({cls.__name__})")
                continue
            kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{cls.__name__}.{f.name}")
        return cls(**kwargs)

    @classmethod
    def many(cls: type[R], data: Any) -> tuple[R, ...]:
        """A JSON list of objects → a tuple of results."""
        return _convert(tuple[cls, ...], data, cls.__name__)  # type: ignore[valid-type]

    def to_json(self) -> dict[str, Any]:
        return {f.name: _to_json(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            if type(None) in typing.get_args(tp):
                return None
            raise InvalidResponse(f"bank answer has a null {where}")
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(inner[0], value, where) if len(inner) == 1 else value
    if value is None:
        if tp is Any:
            return None
        raise InvalidResponse(f"bank answer has a null {where}")
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise InvalidResponse(f"bank answer has a bad {where} (expected a list)")
        item = typing.get_args(tp)[0]
        return tuple(_convert(item, v, where) for v in value)
    if isinstance(tp, type) and issubclass(tp, Result):
        return tp.from_json(value)
    if tp is Decimal:
        if isinstance(value, bool):
            raise InvalidResponse(f"bank answer has a bad {where}")
        try:
            return from_api(value)
        except ValueError as exc:
            raise InvalidResponse(f"bank answer has a bad {where}") from exc
    if tp is int and not isinstance(value, bool):
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise InvalidResponse(f"bank answer has a bad {where}") from exc
    return value  # str, bool, dict, Any: as the bank sent it


def _to_json(value: Any) -> Any:
    if isinstance(value, Result):
        return value.to_json()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _to_json(v) for k, v in value.items()}
    return value
