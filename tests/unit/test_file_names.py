"""A file name shown to coordinators is plain text: no control, bidi or Markdown characters."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from koereplan.file_names import MAX_SHOWN, shown_file_name

MARKDOWN = set("*_`[]()<>#|~!\\")


def test_an_ordinary_name_is_shown_as_it_is() -> None:
    assert shown_file_name("Ærø notice 2026-1.json") == "Ærø notice 2026-1.json"


def test_a_bidi_override_cannot_reverse_the_shown_name() -> None:
    assert shown_file_name("faktura\u202enosj.exe") == "faktura_nosj.exe"


def test_markdown_and_line_breaks_become_plain() -> None:
    assert shown_file_name("[klik her](https://evil.example)\n# OVERSKRIFT.json") == (
        "_klik her__https___evil.example___ OVERSKRIFT.json"
    )


def test_a_long_name_is_cut_with_an_ellipsis() -> None:
    shown = shown_file_name("a" * 300 + ".json")
    assert len(shown) == MAX_SHOWN and shown.endswith("…")


@given(st.text(max_size=400))
def test_no_name_can_carry_hidden_or_markup_characters(name: str) -> None:
    shown = shown_file_name(name)

    assert 1 <= len(shown) <= MAX_SHOWN
    for char in shown.rstrip("…"):
        assert unicodedata.category(char)[0] != "C", repr(char)
        assert char == "_" or char not in MARKDOWN, repr(char)
