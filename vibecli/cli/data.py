"""`vibecli data export` and `vibecli data synth`: training data in vibecli's own prompt format."""

from __future__ import annotations

import datetime
import re
import sys
import time
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli import paths
from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import handled
from vibecli.core import UsageError, VibeError

app = typer.Typer(rich_markup_mode=None, help="Training data: from the logbook (export) or made from real code (synth).", no_args_is_help=True)

Out = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the examples here (default: standard output).")]


def parse_since(value: str) -> float:
    """`7d`, `12h`, `30m`, or a date `2026-11-01` (local time): a Unix time."""
    match = re.fullmatch(r"(\d+)([dhm])", value.strip())
    if match:
        seconds = int(match.group(1)) * {"d": 86400, "h": 3600, "m": 60}[match.group(2)]
        return time.time() - seconds
    try:
        return datetime.datetime.fromisoformat(value.strip()).timestamp()
    except ValueError:
        raise UsageError(f"--since takes a duration like 7d, 12h, 30m or a date like 2026-11-01, not {value!r}") from None


@app.command()
def export(
    out: Out = None,
    pairs: Annotated[Optional[Path], typer.Option("--pairs", help="Also write preference pairs (prompt, chosen, rejected) here.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only runs since: 7d, 12h, 30m or a date (2026-11-01).")] = None,
    repo: Annotated[Optional[Path], typer.Option("--repo", help="Only runs in this repository (its root folder).")] = None,
    kept_only: Annotated[bool, typer.Option("--kept-only", help="Only changes git history shows kept (later commits on top, no revert).")] = False,
    corrected: Annotated[bool, typer.Option("--corrected/--no-corrected", help="Where a person amended vibecli's change, their version is the answer.")] = True,
    logbooks: Annotated[Optional[List[Path]], typer.Option("--logbook", help="Read this logbook.db (copied from another machine) instead of this machine's; repeatable: the runs of all are merged, each run once, and the examples deduplicated across them.")] = None,
    json_: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Training examples from the logbook, as JSON Lines of {prompt, answer, meta}; secrets scrubbed, near-duplicates dropped."""
    from vibecli.data.export import ExportOptions
    from vibecli.data.export import export as run_export

    env = Env(json=json_, quiet=quiet)
    with handled(env):
        if json_ and out is None:
            raise UsageError("--json prints the summary on standard output; give --out FILE for the examples")
        since_ts = parse_since(since) if since else None
        repo_root = str(repo.expanduser().resolve()) if repo else None
        runs = _runs(logbooks, since_ts, repo_root)
        examples, preference, summary = run_export(runs, ExportOptions(kept_only=kept_only, corrected=corrected))
        _write(out, examples)
        if pairs is not None:
            _write(pairs, preference)
    counts = summary.as_dict()
    if env.json:
        env.emit_json({"status": "done", **counts, "out": str(out), "pairs_out": str(pairs) if pairs else None})
        return
    env.info(
        f"{summary.examples} examples ({summary.corrected} human-corrected), {summary.pairs} preference pairs "
        f"from {summary.runs} runs; left out: {summary.filtered} by filters, {summary.no_answer} without an "
        f"applied answer, {summary.duplicates} near-duplicates; {summary.secrets} secrets scrubbed"
    )


def _runs(logbooks: list[Path] | None, since_ts: float | None, repo_root: str | None) -> list[dict]:
    """This machine's runs (outcomes brought up to date here first), or those of the logbooks given, merged."""
    from vibecli.data.export import merge_runs
    from vibecli.logbook import Logbook

    if not logbooks:
        if not paths.logbook_file().exists():
            return []
        book = Logbook(paths.logbook_file())
        _refresh_here(book)
        return book.runs_with_calls(since_ts, repo_root)
    found = []
    for path in logbooks:
        path = path.expanduser()
        if not path.is_file():  # sqlite would create an empty one
            raise UsageError(f"--logbook {path}: no such file")
        found.append(Logbook(path).runs_with_calls(since_ts, repo_root))
    return merge_runs(found)


def _refresh_here(book) -> None:
    """Outcomes in the repository we stand in are brought up to date first, as a run would."""
    from vibecli.cli.runner import refresh_outcomes
    from vibecli.cli.wiring import find_repo

    try:
        repo = find_repo(Path.cwd())
    except VibeError:
        return
    refresh_outcomes(book, repo)


def _write(path: Path | None, rows: list[dict]) -> None:
    from vibecli.data.examples import write_jsonl

    try:
        write_jsonl(path, rows, stream=sys.stdout)
    except OSError as exc:
        raise VibeError(f"cannot write {path}: {exc.strerror}") from None


@app.command()
def synth(
    from_: Annotated[Path, typer.Option("--from", help="A file or folder of real code (for example the Python standard library).")],
    out: Out = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many tasks (0: all).")] = 0,
    kinds: Annotated[Optional[str], typer.Option("--kinds", help="Comma-separated task kinds (default: all): docstring, annotations, comparison, error_handling, guard, default, comprehension, rename.")] = None,
    edit_format: Annotated[str, typer.Option("--format", help="The edit format of prompts and answers: symbol, whole, or auto (whole for files of at most 60 lines, as `vibecli edit` decides).")] = "symbol",
    seed: Annotated[int, typer.Option("--seed", help="Seed for the choices made per file.")] = 0,
    json_: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Edit tasks with known answers, made from real code: JSON Lines of {prompt, answer, meta}."""
    from vibecli.data.examples import task_prompt
    from vibecli.data.py_transforms import PY_TRANSFORMS
    from vibecli.data.synth import answer_in, symbols_for, tasks_from

    env = Env(json=json_, quiet=quiet)
    with handled(env):
        if json_ and out is None:
            raise UsageError("--json prints the summary on standard output; give --out FILE for the tasks")
        if edit_format not in ("symbol", "whole", "auto"):
            raise UsageError(f"--format {edit_format}: synth writes symbol, whole or auto answers")
        wanted = set(kinds.split(",")) if kinds else None
        if wanted and not wanted <= set(PY_TRANSFORMS):
            raise UsageError(f"unknown task kind(s): {', '.join(sorted(wanted - set(PY_TRANSFORMS)))}")
        root = from_.expanduser()
        if not root.exists():
            raise VibeError(f"--from {from_}: no such file or folder")
        counts: dict[str, int] = {}

        def rows():
            for task in tasks_from(root, seed=seed, limit=limit or None, kinds=wanted):
                counts[f"{task.language}/{task.kind}"] = counts.get(f"{task.language}/{task.kind}", 0) + 1
                shown_format, answer = answer_in(task, edit_format)
                symbols = symbols_for(task.path, task.before)
                yield {
                    "prompt": task_prompt(task.path, task.before, task.instruction, symbols, shown_format),
                    "answer": answer,
                    "meta": {"source": "synth", "kind": task.kind, "language": task.language, "origin": task.origin,
                             "format": shown_format},
                }

        from vibecli.data.examples import write_jsonl

        try:
            total = write_jsonl(out, rows(), stream=sys.stdout)
        except OSError as exc:
            raise VibeError(f"cannot write {out}: {exc.strerror}") from None
    if env.json:
        env.emit_json({"status": "done", "tasks": total, "by_kind": counts, "out": str(out)})
        return
    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    env.info(f"{total} tasks from {from_}" + (f": {detail}" if detail else ""))
