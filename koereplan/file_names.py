"""A notice's file name as coordinators see it in a message: plain text, nothing hidden.

A sender chooses the name. Control and bidi characters can hide or reverse what is shown
(`gnp.json` read backwards), Markdown can turn it into a link or a heading in Teams. Only
letters, digits and a few plain punctuation marks are kept; the rest becomes `_`.
"""

from __future__ import annotations

import unicodedata

MAX_SHOWN = 120
_PLAIN_PUNCTUATION = set(".-,+=@ ")
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def shown_file_name(name: str) -> str:
    """The name with control, bidi, zero-width and Markdown characters replaced by `_`."""
    kept = []
    for char in unicodedata.normalize("NFC", name):
        category = unicodedata.category(char)
        if category in _HIDDEN_CATEGORIES:
            kept.append("_")
        elif char.isalnum() or char in _PLAIN_PUNCTUATION:
            kept.append(char)
        else:
            kept.append("_")
    shown = "".join(kept).strip() or "_"
    return shown if len(shown) <= MAX_SHOWN else shown[: MAX_SHOWN - 1] + "…"
