"""A training set from many sources: licence filter, tasks, contamination check, deduplication,
and rows in exactly the prompt and answer format `vibecli edit` uses, each answer verified.

Sources are worked in parallel (`jobs`), and their tasks come back in the sources' order, so
the same command gives the same file. A row is {prompt, answer, meta}; meta carries the kind, the
request's style and naming, the package, version, licence, origin FILE:LINE, the format, the
changed share of the answer and, where one applies, the ruff rules that make the same change
(`ruff_rules`) or the rename (`rename`).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from vibecli.data.sources import Package, open_source
from vibecli.data.synth import Task, tasks_of

FORMATS = ("symbol", "search", "whole")
RATIO_BUCKETS = (0.05, 0.1, 0.2, 0.4, 0.7, 1.01)


@dataclass
class Options:
    seed: int = 0
    kinds: set[str] | None = None
    per_package_kind: int = 40
    """At most this many tasks of one kind from one package (0: no cap)."""
    limit: int = 0
    all_formats: bool = False
    """Also rows in symbol, search and whole (beside the default, auto)."""
    edit_format: str = "auto"
    eval_lines: frozenset[str] = frozenset()
    jobs: int = 1
    max_files: int = 400
    min_change: float = 0.04
    """Tasks whose diff (lines added and removed) is a smaller share of the after-files than this
    are left out: in a whole-file answer they are almost all copy, which teaches copying."""


@dataclass
class Summary:
    tasks: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    by_kind: Counter = field(default_factory=Counter)
    by_style: Counter = field(default_factory=Counter)
    by_naming: Counter = field(default_factory=Counter)
    by_package: Counter = field(default_factory=Counter)
    by_licence: Counter = field(default_factory=Counter)
    by_format: Counter = field(default_factory=Counter)
    """The format `auto` resolved to, per default row."""
    files_per_task: Counter = field(default_factory=Counter)
    overlap_dropped: int = 0
    small_change_dropped: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    unverified: Counter = field(default_factory=Counter)
    symbol_fallbacks: int = 0
    change_ratio: dict[str, Counter] = field(default_factory=dict)
    packages: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        out = {}
        for key, value in vars(self).items():  # not asdict: it rebuilds a Counter from (key, count) pairs
            out[key] = dict(value.most_common()) if isinstance(value, Counter) else value
        out["change_ratio"] = {k: dict(sorted(v.items())) for k, v in self.change_ratio.items()}
        return out


def changed_share(task: Task, answer: str) -> tuple[int, int]:
    """(answer code lines that copy no line of the shown files, answer code lines): the share of
    the answer that is not a copy, as the training loss weighs it."""
    shown = {line.strip() for text in task.before.values() for line in text.split("\n") if line.strip()}
    code = [line for line in answer.split("\n") if not line.startswith(("@@ ", "```"))]
    return sum(1 for line in code if line.strip() and line.strip() not in shown), max(1, len(code))


def diff_share(task: Task) -> float:
    """Lines added and removed over the after-files' lines."""
    import difflib

    changed = total = 0
    for path, new in task.after.items():
        old_lines, new_lines = task.before.get(path, "").split("\n"), new.split("\n")
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
            if tag != "equal":
                changed += (i2 - i1) + (j2 - j1)
        total += len(new_lines)
    return changed / max(1, total)


def _bucket(ratio: float) -> str:
    low = 0.0
    for high in RATIO_BUCKETS:
        if ratio < high:
            return f"{low:.2f}-{min(high, 1.0):.2f}"
        low = high
    return "1.00"


def render(task: Task, edit_format: str) -> tuple[dict | None, bool]:
    """(the row in this format, or None when its answer does not verify; whether symbol fell back)."""
    from vibecli.data import cst as c
    from vibecli.data.answers import answer, answer_gives
    from vibecli.data.examples import files_prompt

    resolved, prompt = files_prompt(task.before, task.instruction, edit_format)
    text, fallback = answer(task.before, task.after, resolved)
    if not answer_gives(task.before, task.after, text, resolved):
        return None, fallback
    if not all(c.compiles(t) for p, t in task.after.items() if p.endswith(".py")):
        return None, fallback
    changed, lines = changed_share(task, text)
    meta = {"source": "synth", "kind": task.kind, "style": task.style, "naming": task.naming, "package": task.package,
            "version": task.version, "licence": task.licence, "origin": task.origin, "format": resolved,
            "requested_format": edit_format, "language": task.language, "direction": task.direction,
            "files": len(task.before), "changed_lines": changed, "answer_lines": lines,
            "change_ratio": round(changed / lines, 3)}
    if task.ruff_rules:
        meta["ruff_rules"] = list(task.ruff_rules)
        meta["ruff_unsafe"] = task.ruff_unsafe
    if task.rename:
        meta["rename"] = list(task.rename)
    if fallback:
        meta["symbol_fallback"] = True
    return {"prompt": prompt, "answer": text, "meta": meta}, fallback


def _work(job: tuple[str, Options]) -> tuple[Package, list[tuple[Task, dict[str, dict | None], dict]]]:
    """One source's tasks, each with its rows per format (None: did not verify)."""
    from vibecli.data.quality import shared_lines

    spec, options = job
    source = open_source(spec)
    if not source.package.permissive:
        return source.package, []
    out = []
    formats = [options.edit_format] + ([f for f in FORMATS if f != options.edit_format] if options.all_formats else [])
    for task in tasks_of(source, seed=options.seed, kinds=options.kinds, per_kind=options.per_package_kind,
                         max_files=options.max_files):
        if options.eval_lines and shared_lines(list(task.before.values()) + list(task.after.values()), set(options.eval_lines)):
            out.append((task, {}, {"overlap": True}))
            continue
        if diff_share(task) < options.min_change:
            out.append((task, {}, {"small": True}))
            continue
        rows, notes = {}, {"fallback": False}
        for edit_format in formats:
            rows[edit_format], fallback = render(task, edit_format)
            notes["fallback"] |= fallback and edit_format in ("symbol", "auto") and rows[edit_format] is not None \
                and rows[edit_format]["meta"]["format"] == "symbol"
        out.append((task, rows, notes))
    return source.package, out


def build(specs: list[str], options: Options, write: Callable[[str, dict], None],
          progress: Callable[[Package, int], None] | None = None) -> Summary:
    """Rows from every source, written with `write(format, row)` as they come; the summary."""
    from vibecli.data.quality import Dedup

    started = time.monotonic()
    summary = Summary()
    dedup = Dedup()
    jobs = [(spec, options) for spec in specs]
    for package, results in _results(jobs, options.jobs):
        summary.packages.append({**asdict(package), "permissive": package.permissive, "tasks": 0})
        for task, rows, notes in results:
            if options.limit and summary.tasks >= options.limit:
                break
            if notes.get("overlap"):
                summary.overlap_dropped += 1
                continue
            if notes.get("small"):
                summary.small_change_dropped += 1
                continue
            if rows.get(options.edit_format) is None:
                summary.unverified[options.edit_format] += 1
                continue
            if dedup.seen(task.kind, "\n".join(task.before.values()) + "\n\0\n" + "\n".join(task.after.values())):
                continue
            _count(summary, task, rows, notes, options)
            for edit_format, row in rows.items():
                if row is None:
                    summary.unverified[edit_format] += 1
                    continue
                write(edit_format, row)
                summary.rows[edit_format] = summary.rows.get(edit_format, 0) + 1
                ratio = summary.change_ratio.setdefault(row["meta"]["format"] if edit_format == options.edit_format
                                                        else f"{edit_format} (all formats)", Counter())
                ratio[_bucket(row["meta"]["change_ratio"])] += 1
            summary.packages[-1]["tasks"] += 1
        if progress is not None:
            progress(package, summary.packages[-1]["tasks"])
    summary.exact_duplicates, summary.near_duplicates = dedup.exact_dropped, dedup.near_dropped
    summary.seconds = round(time.monotonic() - started, 1)
    return summary


def _count(summary: Summary, task: Task, rows: dict, notes: dict, options: Options) -> None:
    summary.tasks += 1
    summary.by_kind[task.kind] += 1
    summary.by_style[task.style] += 1
    summary.by_naming[task.naming] += 1
    summary.by_package[task.package] += 1
    summary.by_licence[task.licence] += 1
    summary.by_format[rows[options.edit_format]["meta"]["format"]] += 1
    summary.files_per_task[str(len(task.before))] += 1
    summary.symbol_fallbacks += bool(notes.get("fallback"))


def _results(jobs: list, workers: int):
    if workers <= 1 or len(jobs) <= 1:
        yield from map(_work, jobs)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_work, jobs)


def read_eval_lines(path: Path | None) -> frozenset[str]:
    from vibecli.data.quality import eval_lines

    return frozenset(eval_lines(path)) if path is not None and path.exists() else frozenset()
