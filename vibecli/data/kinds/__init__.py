"""The edit kinds of `data synth`: each a transform of one real unit of code into a task's
before- and after-file, with the words a request for it would use.

A kind either *restores* real code (the real code is the answer, a degraded copy the question:
the docstring taken out, a comparison flipped, a comprehension written as a loop) or *improves*
it (the real code is the question, the answer is the same code with an idiom applied: logging
instead of print, pathlib instead of os.path). Either way the after-file compiles and, where the
kind is a refactoring, behaves as the before-file does by construction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from vibecli.data.units import Unit


@dataclass
class Made:
    before: dict[str, str]
    """The files shown to the model, path to text, in order."""
    after: dict[str, str]
    """Every file after the edit (a new one included)."""
    slots: dict[str, str] = field(default_factory=dict)
    """Words for the request's phrasings: name, param, value, ..."""
    rename: tuple[str, str] | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[Unit, random.Random], Made | None]
    units: tuple[str, ...]
    """Which units it takes: function, method, class, pair."""
    needs: tuple[str, ...] = ()
    """Text one of which the unit must contain (a cheap filter before parsing)."""
    ruff_rules: tuple[str, ...] = ()
    """Ruff rules whose fix makes exactly this change (a route to an exact tool: `ruff check
    --fix --select RULES`), checked on the golden tasks by tests/data/test_ruff_routes.py."""
    direction: str = "restore"
    ruff_unsafe: bool = False
    """The fix is one ruff calls unsafe: it needs `--unsafe-fixes`."""


KINDS: dict[str, Kind] = {}


def kind(name: str, units: tuple[str, ...] = ("function", "method"), needs: tuple[str, ...] = (),
         ruff: tuple[str, ...] = (), direction: str = "restore", ruff_unsafe: bool = False):
    def register(make):
        KINDS[name] = Kind(name, make, units, needs, ruff, direction, ruff_unsafe)
        return make
    return register


def single(unit: Unit, before: str, after: str, rename: tuple[str, str] | None = None, **slots: str) -> Made | None:
    if before == after:
        return None
    return Made({unit.path: before}, {unit.path: after}, {k: str(v) for k, v in slots.items()}, rename)


def load() -> dict[str, Kind]:
    """Every kind, registered by importing the modules that define them."""
    from vibecli.data.kinds import bugs, idioms, improve, multi, restore, structure  # noqa: F401

    return KINDS
