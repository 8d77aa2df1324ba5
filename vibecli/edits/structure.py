"""The structural guard: an answer that parses and applies may still wreck a file. A small model
asked to change one method sometimes rewrites the file without a class it was never asked about,
or uses a name nothing defines; this turns that into a rejection the model reads on its next attempt."""

from __future__ import annotations

import re
from collections.abc import Iterable

from vibecli.edits import syntax
from vibecli.edits.names import new_unbound_names
from vibecli.edits.operations import CONTAINER_KINDS

DELETING = re.compile(r"\b(delet\w*|remov\w*|drop\w*|strip\w*|get rid|eliminat\w*|clear\w*|trim\w*|"
                      r"shorten\w*|simplif\w*|empty|purge\w*|prune\w*|cut\w*|rewrite|replace the (whole|entire))\b",
                      re.IGNORECASE)
"""Words of a request that may shrink a file on purpose."""
MOST_OF_A_FILE = 0.5
"""A result that keeps less than this share of a file's non-blank lines drops most of it."""
SMALLEST_GUARDED = 6
"""Files of fewer non-blank lines are left to the other checks: halving a 4-line file is an ordinary edit."""


def structural_problem(instruction: str, relpath: str, old: str, new: str) -> str | None:
    """Why the change of `relpath` from `old` to `new` goes beyond the request, or None."""
    words = {w.casefold() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", instruction)}
    gone = _lost_definitions(relpath, old, new, words)
    if gone:
        shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
        return (f"the result deletes or renames {shown} in {relpath}, which the request does not name; keep every "
                "definition the request does not ask to change, and change only what it asks")
    before, after = _lines(old), _lines(new)
    if before >= SMALLEST_GUARDED and after < before * MOST_OF_A_FILE and not DELETING.search(instruction):
        return (f"the result keeps {after} of the {before} lines of {relpath}, but the request does not ask to "
                "delete code; keep the rest of the file as it is")
    unbound = new_unbound_names(old, new) if relpath.endswith(".py") else []
    if unbound:
        shown = ", ".join(unbound[:5]) + (f" and {len(unbound) - 5} more" if len(unbound) > 5 else "")
        return (f"the result uses {shown} in {relpath}, which nothing there defines or imports; use the names "
                "that exist, or define or import what the code needs")
    return None


def _lines(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.strip())


def _lost_definitions(relpath: str, old: str, new: str, words: set[str]) -> list[str]:
    language = syntax.language_of(relpath)
    if language is None:
        return []
    before = _guarded(syntax.definitions(language, old.encode("utf-8")))
    after = {name for name, _ in _guarded(syntax.definitions(language, new.encode("utf-8")))}
    gone = [name for name, _ in before if name not in after]
    named = {name for name in gone if _named(name, words)}
    # the members of a definition the request names go with it
    return [name for name in gone if not any(name == n or name.startswith(n + ".") for n in named)]


def _guarded(definitions: Iterable[syntax.Definition]) -> list[tuple[str, str]]:
    """Classes, functions and methods, less those inside a function (a function's own helpers are its business)."""
    found = [(d.name.split("#")[0], d.kind) for d in definitions]
    functions = {name for name, kind in found if kind not in CONTAINER_KINDS}
    kept = []
    for name, kind in dict.fromkeys(found):
        parts = name.split(".")
        if any(".".join(parts[:i]) in functions for i in range(1, len(parts))):
            continue
        kept.append((name, kind))
    return kept


def _named(name: str, words: set[str]) -> bool:
    """The request names a definition by its own (unqualified) name, in any case."""
    return name.split(".")[-1].casefold() in words
