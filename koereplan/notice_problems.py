"""How a bad notice is told: `NoticeRejected`, listing every problem in plain Danish.

Pydantic's own text is English and quotes the value, which may be personal data; here every
error becomes a field path and a Danish sentence, and the list is capped.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from koereplan.problems import Problem, ProblemsError

MAX_PROBLEMS = 50
ERROR_TYPE = "koereplan"


class NoticeRejected(ProblemsError):
    """A notice that cannot be taken in: the file goes to quarantine with these problems."""


def fail(message: str) -> PydanticCustomError:
    """A validation error that already speaks Danish (and never carries the value)."""
    return PydanticCustomError(ERROR_TYPE, message)


def path(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """`("members", 1, "birth_date")` → `members[1].birth_date` (0-based indexes)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_MESSAGES = {
    "missing": "mangler",
    "string_type": "skal være en tekst",
    "int_type": "skal være et heltal",
    "bool_type": "skal være true eller false",
    "list_type": "skal være en liste",
    "model_type": "skal være et objekt",
    "model_attributes_type": "skal være et objekt",
    "dict_type": "skal være et objekt",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "datetime_type": "skal være et tidspunkt med tidszone",
}


def danish(error: Any) -> str:
    """Pydantic's error in plain Danish; its own text (English, with the value) is never used."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == ERROR_TYPE:
        return str(error["msg"])
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " eller ")
        return f"skal være en af {expected}" if expected else "har en ukendt værdi"
    if kind == "string_too_short":
        return "må ikke være tom" if ctx.get("min_length") == 1 else "er for kort"
    if kind == "string_too_long":
        return f"må højst være {ctx.get('max_length')} tegn"
    if kind == "too_short":
        unit = "person" if error["loc"] == ("members",) else "element"
        return f"skal have mindst {ctx.get('min_length')} {unit}"
    if kind == "too_long":
        unit = "personer" if error["loc"] == ("members",) else "elementer"
        return f"må højst have {ctx.get('max_length')} {unit}"
    return "har en ugyldig værdi"


def reject(problems: list[Problem]) -> NoticeRejected:
    """Cap the list so a pathological file cannot flood the error file and the notification."""
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], Problem("", f"… og {rest} fejl mere")]
    return NoticeRejected(problems)
