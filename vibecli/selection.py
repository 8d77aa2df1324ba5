"""Choosing among several valid answers to one prompt: merge the ones that give the same files,
order them, and (without checks) let them vote.

The order is the greedy answer first, then by the model's mean log-probability: greedy decoding
is what a single answer would have been, so N > 1 never ranks a sampled answer above it without a
reason (a check it passes, or answers that agree with one another).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from vibecli.edits.apply import Change
from vibecli.run_record import CandidateRow


@dataclass
class Survivor:
    """A distinct valid result: the files it gives, and the candidates that gave them."""

    changes: list[Change]
    answer: str
    """The answer as a retry prompt quotes it."""
    rows: list[CandidateRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def greedy(self) -> bool:
        return any(r.index == 0 for r in self.rows)

    @property
    def logprob(self) -> float:
        known = [r.logprob for r in self.rows if r.logprob is not None]
        return max(known) if known else float("-inf")

    @property
    def index(self) -> int:
        return min(r.index for r in self.rows)


def files_key(changes: list[Change]) -> tuple:
    return tuple(sorted((c.relpath, c.new_text) for c in changes))


def merge(survivors: list[Survivor]) -> list[Survivor]:
    """Survivors whose resulting files are identical, as one (their candidates kept together)."""
    merged: dict[tuple, Survivor] = {}
    for survivor in survivors:
        key = files_key(survivor.changes)
        if key in merged:
            merged[key].rows.extend(survivor.rows)
        else:
            merged[key] = survivor
    return list(merged.values())


def ordered(survivors: list[Survivor]) -> list[Survivor]:
    """Greedy first, then by mean log-probability (highest first), then as asked."""
    return sorted(survivors, key=lambda s: (not s.greedy, -s.logprob, s.index))


def normalised(relpath: str, text: str) -> str:
    """The code with its formatting left out: Python's syntax tree (no positions), else the words."""
    if relpath.endswith((".py", ".pyi")):
        try:
            return ast.dump(ast.parse(text))
        except (SyntaxError, ValueError):
            pass
    return " ".join(text.split())


def agreement(survivors: list[Survivor]) -> tuple[Survivor, str]:
    """The survivor of the largest group with the same normalised code (ties: the group's best mean
    log-probability), and why; the first in order when no two candidates agree."""
    first = ordered(survivors)
    groups: dict[tuple, list[Survivor]] = {}
    for survivor in first:
        key = tuple(sorted((c.relpath, normalised(c.relpath, c.new_text)) for c in survivor.changes))
        groups.setdefault(key, []).append(survivor)
    sizes = [(sum(s.count for s in group), max(s.logprob for s in group), group) for group in groups.values()]
    size, _, group = max(sizes, key=lambda item: item[:2])
    if size < 2:
        return first[0], "no two candidates agree: the first in order (greedy, then by log-probability)"
    tied = sum(1 for other in sizes if other[0] == size) > 1
    why = f"{size} of {sum(s.count for s in survivors)} valid candidates give the same code"
    return group[0], why + (" (a tie, broken by mean log-probability)" if tied else "")
