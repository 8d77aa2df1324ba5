"""The structural guard: an answer that parses and applies may still wreck a file. A small model
asked to change one method sometimes rewrites the file without a class it was never asked about,
or uses a name nothing defines; this turns that into a rejection the model reads on its next attempt."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

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
    deleting = bool(DELETING.search(instruction))
    language = syntax.language_of(relpath)
    before = _guarded(syntax.definitions(language, old.encode("utf-8"))) if language else []
    after = _guarded(syntax.definitions(language, new.encode("utf-8"))) if language else []
    gone = _lost_definitions(before, after, words, deleting)
    if gone:
        shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
        return (f"the result deletes or renames {shown} in {relpath}, which the request does not name; keep every "
                "definition the request does not ask to change, and change only what it asks")
    targets = _targets(before, words)
    was, kept = _lines(old), _lines(new)
    # the whole file must shrink as well as what lies outside the definitions asked about: a file
    # that does not parse gives spans that cannot be trusted on their own
    if not deleting and _drops_most(was, kept) and \
            _drops_most(_lines(old, before, targets), _lines(new, after, targets)):
        return (f"the result keeps {kept} of the {was} lines of {relpath}, but the request does not "
                "ask to delete code; keep the rest of the file as it is")
    unbound = new_unbound_names(old, new) if relpath.endswith(".py") else []
    if unbound:
        shown = ", ".join(unbound[:5]) + (f" and {len(unbound) - 5} more" if len(unbound) > 5 else "")
        return (f"the result uses {shown} in {relpath}, which nothing there defines or imports; use the names "
                "that exist, or define or import what the code needs")
    return None


def _drops_most(was: int, kept: int) -> bool:
    return was >= SMALLEST_GUARDED and kept < was * MOST_OF_A_FILE


def _lines(text: str, definitions: list[syntax.Definition] = (), targets: set[str] = frozenset()) -> int:
    """Non-blank lines outside the definitions in `targets`: rewriting the one function asked for
    in fewer lines is the edit itself, not a file dropped."""
    skip = set()
    for d in definitions:
        if d.name in targets:
            skip.update(range(d.start_line, d.end_line + 1))
    return sum(1 for number, line in enumerate(text.split("\n"), 1) if line.strip() and number not in skip)


def _targets(definitions: list[syntax.Definition], words: set[str]) -> set[str]:
    """What the request is about: the definitions it names, else the file's only function."""
    named = {d.name for d in definitions if _named(d.name, words)}
    functions = [d.name for d in definitions if d.kind not in CONTAINER_KINDS]
    return named or (set(functions) if len(functions) == 1 else set())


def _lost_definitions(before: list[syntax.Definition], after: list[syntax.Definition], words: set[str], deleting: bool) -> list[str]:
    """Definitions of `before` that `after` lost and the request did not ask to lose."""
    old_names = {d.name for d in before}
    kept = {d.name for d in after}
    # a definition that only moved (a function made a method of a new class) is still there
    moved = {_leaf(d.name) for d in after if d.name not in old_names}
    gone = [d for d in before if d.name not in kept and _leaf(d.name) not in moved]
    old_leaves = {_leaf(d.name) for d in before}
    # a new definition the request names replaces one that went beside it, of the same sort: a rename to it
    replacing = [d for d in after if _leaf(d.name) not in old_leaves and _named(d.name, words)]
    named = {d.name for d in gone if _named(d.name, words)}
    gone_names = {d.name for d in gone}
    lost = []
    for d in gone:
        if any(d.name == n or d.name.startswith(n + ".") for n in named):
            continue  # the members of a definition the request names go with it
        parent = _parent(d.name)
        twin = next((r for r in replacing if _parent(r.name) == parent
                     and (r.kind in CONTAINER_KINDS) == (d.kind in CONTAINER_KINDS)), None)
        if twin is not None:
            replacing.remove(twin)
            continue
        if deleting and d.kind not in CONTAINER_KINDS and parent not in gone_names:
            continue  # "remove the obsolete methods" names none of them; a class is only lost by name
        lost.append(d.name)
    return lost


def _leaf(name: str) -> str:
    return name.rpartition(".")[2]


def _parent(name: str) -> str:
    return name.rpartition(".")[0]


def _guarded(definitions: Iterable[syntax.Definition]) -> list[syntax.Definition]:
    """Classes, functions and methods, less those inside a function (a function's own helpers are its business)."""
    found = [replace(d, name=d.name.split("#")[0]) for d in definitions]
    functions = {d.name for d in found if d.kind not in CONTAINER_KINDS}
    kept: dict[str, syntax.Definition] = {}
    for d in found:
        parts = d.name.split(".")
        if d.name in kept or any(".".join(parts[:i]) in functions for i in range(1, len(parts))):
            continue
        kept[d.name] = d
    return list(kept.values())


def _named(name: str, words: set[str]) -> bool:
    """The request names a definition by its own (unqualified) name, in any case."""
    return _leaf(name).casefold() in words
