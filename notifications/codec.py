"""Message contexts to JSON and back, so the outbox can hold them until a dispatcher sends."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

T = TypeVar("T")
Converter = Callable[[Any], Any]


def to_json(value: Any) -> Any:
    """A context dataclass as JSON-ready dicts and lists, dates as ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_json(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def from_json(cls: type[T], data: Any) -> T:
    """Rebuild a context dataclass from `to_json` output, guided by its type hints."""
    return typing.cast(T, _converter(typing.cast(Any, cls))(data))


@functools.lru_cache(maxsize=128)
def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once: a digest serialises thousands of lines."""
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.lru_cache(maxsize=256)
def _converter(hint: Any) -> Converter:
    """A function rebuilding values of type `hint`, built once per type from its hints."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _or_none(_converter(options[0])) if len(options) == 1 else _same
    if origin in (list, tuple, Sequence) or hint in (list, tuple):
        args = typing.get_args(hint)
        item = _converter(args[0]) if args else _same
        return _or_none(lambda data: tuple(item(value) for value in data))
    if hint is date:
        return _or_none(date.fromisoformat)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = {f.name: _converter(hints[f.name]) for f in dataclasses.fields(hint)}
        cls = typing.cast(Callable[..., Any], hint)
        return _or_none(
            lambda data: cls(**{k: fields[k](v) for k, v in data.items() if k in fields})
        )
    return _same


def _or_none(convert: Converter) -> Converter:
    """None stays None; anything else is converted."""
    return lambda data: None if data is None else convert(data)


def _same(data: Any) -> Any:
    return data
