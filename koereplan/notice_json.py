"""A notice file's bytes to one JSON object, hardened: size, UTF-8, strict JSON, shape.

Python's decoder accepts NaN, duplicate keys, 4300-digit ints and any depth; a file from outside
must not, and every failure is a `NoticeRejected` in Danish rather than a traceback.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from koereplan.notice_problems import path, reject
from koereplan.problems import Problem

MAX_NOTICE_BYTES = 1024 * 1024
SCHEMA_VERSION = 1
MAX_DEPTH = 32
ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class _BadJson(Exception):
    """Raised from inside the JSON decoder's hooks; carries a Danish message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parse_int(text: str) -> int:
    """Python refuses ints over ~4300 digits with a ValueError; make that a clean rejection."""
    try:
        return int(text)
    except ValueError:
        raise _BadJson("indeholder et tal, der er for stort") from None


def _parse_float(text: str) -> float:
    """1e999 would silently become infinity; no field can use that, so reject it."""
    value = float(text)
    if not math.isfinite(value):
        raise _BadJson("indeholder et tal, der er for stort")
    return value


def _parse_constant(text: str) -> Any:
    """NaN and Infinity are not JSON, though Python's decoder accepts them by default."""
    raise _BadJson("er ikke gyldig JSON (NaN og Infinity er ikke tilladt)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice is ambiguous (which value wins?), so the sender must fix it."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            shown = f'"{key}"' if ID_RE.fullmatch(key) else "et felt"
            raise _BadJson(f"har {shown} to gange i samme objekt")
        result[key] = value
    return result


def _check_shape(data: Any) -> list[Problem]:
    """Walk the decoded JSON without recursion: depth bound, and text a database can store."""
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if len(loc) > MAX_DEPTH:
            return [Problem(path(loc[:MAX_DEPTH]), f"er indlejret mere end {MAX_DEPTH} niveauer")]
        if isinstance(value, dict):
            for key, item in value.items():
                if _bad_text(key):
                    problems.append(Problem(path(loc), "har et feltnavn med ugyldige tegn"))
                else:
                    stack.append((item, (*loc, key)))
        elif isinstance(value, list):
            stack.extend((item, (*loc, i)) for i, item in enumerate(value))
        elif isinstance(value, str) and _bad_text(value):
            problems.append(Problem(path(loc), "indeholder ugyldige tegn (NUL eller surrogat)"))
    return problems


def _bad_text(text: str) -> bool:
    """NUL and lone surrogates (from `\\u0000`, `\\ud800` escapes) cannot be stored as text."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def _decode(raw: bytes) -> Any:
    """Bytes to JSON value, or NoticeRejected: size first, then UTF-8, then JSON."""
    if len(raw) > MAX_NOTICE_BYTES:
        raise reject(
            [Problem("", f"filen er for stor: højst {MAX_NOTICE_BYTES} byte (1 MiB) er tilladt")]
        )
    try:
        # A UTF-8 byte-order mark is harmless and some Windows tools write one: accept it.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise reject(
            [Problem("", f"er ikke gyldig UTF-8 (ugyldig byte ved position {exc.start})")]
        ) from None
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
            object_pairs_hook=_unique_keys,
        )
    except _BadJson as exc:
        raise reject([Problem("", exc.message)]) from None
    except RecursionError:
        raise reject([Problem("", "er for dybt indlejret JSON")]) from None
    except json.JSONDecodeError as exc:
        raise reject(
            [Problem("", f"er ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno})")]
        ) from None
    except ValueError:
        raise reject([Problem("", "er ikke gyldig JSON")]) from None


def read_json(raw: bytes) -> dict[str, Any]:
    """The notice file as one JSON object of a known schema, or NoticeRejected (any kind)."""
    data = _decode(raw)
    if not isinstance(data, dict):
        raise reject([Problem("", "skal være ét JSON-objekt ({ … }), ikke en liste eller værdi")])
    version = data.get("schema_version")
    if type(version) is int and version != SCHEMA_VERSION:
        # Another version may mean other fields: listing those would only confuse.
        raise reject(
            [
                Problem(
                    "schema_version",
                    f"skal være {SCHEMA_VERSION} (kun skemaversion {SCHEMA_VERSION} forstås)",
                )
            ]
        )
    shape_problems = _check_shape(data)
    if shape_problems:
        raise reject(shape_problems)
    return data
