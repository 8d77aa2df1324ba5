"""Narrowing a tool's result to what the request asked about: a change outside the named
definitions or lines (a rule that fired elsewhere in the file) is dropped, the rest kept."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

Span = tuple[int, int]
"""First and last line, 1-based, inclusive."""

_LINES = re.compile(r"\blines?\s+(\d+)(?:\s*(?:-|–|to|through|and)\s*(\d+))?\b", re.IGNORECASE)


def line_spans(instruction: str) -> list[Span]:
    """`line 12`, `lines 10-20`, `lines 10 to 20` in the request."""
    spans = []
    for match in _LINES.finditer(instruction):
        first = int(match.group(1))
        last = int(match.group(2) or first)
        spans.append((min(first, last), max(first, last)))
    return spans


def definition_spans(text: str, relpath: str, names: tuple[str, ...]) -> list[Span]:
    """The lines of the definitions `names` (a name, or `Class.method`) in one file."""
    from vibecli.edits import syntax

    language = syntax.language_of(relpath)
    if language is None or not names:
        return []
    spans = []
    for definition in syntax.definitions(language, text.encode("utf-8")):
        plain = definition.name.split("#")[0]
        if plain in names or plain.rsplit(".", 1)[-1] in names:
            spans.append((definition.start_line, definition.end_line))
    return spans


def narrow(old: str, new: str, spans: list[Span]) -> tuple[str, int]:
    """`new` with only the changed runs of lines that lie wholly inside `spans` kept; and how many
    runs were dropped."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    dropped = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += a[i1:i2]
        elif _inside(i1, i2, spans):
            out += b[j1:j2]
        else:
            out += a[i1:i2]
            dropped += 1
    return "".join(out), dropped


def _inside(i1: int, i2: int, spans: list[Span]) -> bool:
    first, last = i1 + 1, max(i2, i1 + 1)  # an insertion before line i1 + 1 is at that line
    return any(start <= first and last <= end for start, end in spans)
