"""Edit tasks with known answers, made from real code that nobody here wrote.

Each task cuts a unit out of a real module (a function, a method in its class, a class, a
function with its helper; `units`) and applies one kind of edit (`kinds`): the real code is the
after-file and a degraded copy the before-file ("add a docstring", "use an f-string", "fix the
off-by-one"), or the real code is the before-file and the after-file applies an idiom ("use
logging"). The request is phrased as people ask (`phrasings`). Every task records the package,
version and licence it came from, and the file and line.

Other addressable languages (JavaScript, TypeScript, Go, Rust, Java, C, C++) in a folder source get
renames and flipped comparisons through tree-sitter's definitions (`other_languages`).
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Iterator

from libcst import CSTValidationError, ParserSyntaxError

from vibecli.data.sources import Source
from vibecli.data.units import units_of

MAX_FILES = 400
"""Files sampled from one source (after a seeded shuffle): big packages would otherwise dominate."""


@dataclass(frozen=True)
class Task:
    kind: str
    before: dict[str, str]
    """The files shown to the model, path to text."""
    after: dict[str, str]
    """Every file after the edit (new files included)."""
    instruction: str
    style: str
    """terse or descriptive."""
    naming: str
    """How the request points at its target: name, behaviour (what it does), or none."""
    origin: str
    """FILE:LINE in the source."""
    package: str = ""
    version: str = ""
    licence: str = ""
    ruff_rules: tuple[str, ...] = ()
    ruff_unsafe: bool = False
    rename: tuple[str, str] | None = None
    language: str = "python"
    direction: str = "restore"
    extra: dict = field(default_factory=dict)


def _seeded(seed: int, *parts: str) -> random.Random:
    return random.Random(zlib.crc32("\0".join([str(seed), *parts]).encode()))


def tasks_of(source: Source, *, seed: int = 0, kinds: set[str] | None = None, per_kind: int = 0,
             max_files: int = MAX_FILES) -> Iterator[Task]:
    """Tasks from one source, at most `per_kind` of each kind (0: no cap), in a seeded order."""
    from vibecli.data.kinds import load
    from vibecli.data.kinds.multi import add_test_tasks
    from vibecli.data.other_languages import other_language_tasks

    registry = load()
    wanted = [k for k in registry.values() if not kinds or k.name in kinds]
    counts: dict[str, int] = {}
    package = source.package
    files = list(source.files)
    _seeded(seed, package.name).shuffle(files)
    files = files[:max_files]

    def full(name: str) -> bool:
        return bool(per_kind) and counts.get(name, 0) >= per_kind

    for relpath, text in files:
        if not relpath.endswith(".py"):
            if not kinds or kinds & {"comparison", "rename"}:
                for made_task in other_language_tasks(relpath, text):
                    yield Task(**{**made_task, "package": package.name, "version": package.version, "licence": package.licence})
            continue
        rng = _seeded(seed, package.name, relpath)
        for unit in units_of(relpath, text, rng):
            for kind in wanted:
                if unit.kind not in kind.units or full(kind.name) or (kind.needs and not any(n in unit.text for n in kind.needs)):
                    continue
                try:
                    made = kind.make(unit, _seeded(seed, kind.name, unit.origin, unit.kind))
                except (ParserSyntaxError, CSTValidationError, RecursionError):
                    # a transform that wrote code LibCST cannot take (a rare construct): no task from
                    # this unit, not the end of a run over seventy packages
                    continue
                if made is None or made.before == made.after:
                    continue
                if unit.doc:
                    made.slots.setdefault("doc", unit.doc)  # lets the request name the target by what it does
                made_task = _task(kind, made, unit.origin, _seeded(seed, "phrase", kind.name, unit.origin, unit.kind),
                                  source, unit.target, unit.kind == "method")
                if made_task is not None:
                    counts[kind.name] = counts.get(kind.name, 0) + 1
                    yield made_task
    if (not kinds or "add_test" in kinds) and source.tests:
        rng = _seeded(seed, package.name, "tests")
        for made, origin in add_test_tasks(source.files, source.tests, rng):
            if full("add_test"):
                break
            made_task = _task(None, made, origin, _seeded(seed, "phrase", origin), source)
            if made_task is not None:
                counts["add_test"] = counts.get("add_test", 0) + 1
                yield made_task


def _task(kind, made, origin: str, rng: random.Random, source: Source, target: str = "", is_method: bool = False) -> Task | None:
    """The task for one made change (kind None: add_test), with its request phrased; None when a
    file does not compile or no phrasing fits."""
    from vibecli.data import cst as c
    from vibecli.data.phrasings import phrase

    if not all(c.compiles(t) for p, t in {**made.before, **made.after}.items() if p.endswith(".py")):
        return None
    name = kind.name if kind else "add_test"
    instruction, style, naming = phrase(name, made.slots, target, rng, is_method=is_method)
    if not instruction:
        return None
    package = source.package
    return Task(name, made.before, made.after, instruction, style, naming, origin, package.name, package.version,
                package.licence, kind.ruff_rules if kind else (), bool(kind and kind.ruff_unsafe), made.rename,
                direction=kind.direction if kind else "restore")
