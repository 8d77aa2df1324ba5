"""Unified diffs of in-memory changes, the same with or without git."""

from __future__ import annotations

import difflib


def unified_diff(relpath: str, old: str, new: str, existed: bool = True) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{relpath}" if existed else "/dev/null",
        tofile=f"b/{relpath}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
