"""Message contexts to JSON and back, so the outbox can hold them until a dispatcher sends."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

T = TypeVar("T")


def to_json(value: Any) -> Any:
    """A context dataclass as JSON-ready dicts and lists, dates as ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def from_json(cls: type[T], data: Any) -> T:
    """Rebuild a context dataclass from `to_json` output, guided by its type hints."""
    return typing.cast(T, _convert(cls, data))


def _convert(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _convert(options[0], data) if len(options) == 1 else data
    if origin in (list, tuple, Sequence) or hint in (list, tuple):
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return tuple(_convert(item, value) for value in data)
    if hint is date:
        return date.fromisoformat(data)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        names = {f.name for f in dataclasses.fields(hint)}
        return hint(**{k: _convert(hints[k], v) for k, v in data.items() if k in names})
    return data
