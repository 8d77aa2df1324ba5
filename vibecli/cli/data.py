"""`vibecli data export` and `vibecli data synth`: training data in vibecli's own prompt format."""

from __future__ import annotations

import datetime
import json
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


def _default_eval() -> Path:
    """EditEval beside the checkout (../shared/eval), as `vibecli train --eval-data` finds it."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "editeval.jsonl"


@app.command()
def synth(
    from_: Annotated[list[str], typer.Option("--from", help="A source of real code; repeat for more: a folder or file, a downloaded wheel or sdist (.whl, .tar.gz, .zip), or an installed package's name.")],
    out: Out = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many tasks (0: all).")] = 0,
    kinds: Annotated[Optional[str], typer.Option("--kinds", help="Comma-separated task kinds (default: all; `vibecli data kinds` lists them).")] = None,
    edit_format: Annotated[str, typer.Option("--format", help="The edit format of prompts and answers: auto (as `vibecli edit` decides: whole files of at most 60 lines, else symbol), symbol, search or whole.")] = "auto",
    all_formats: Annotated[bool, typer.Option("--all-formats", help="Also write every task in symbol, search and whole, to OUT's siblings NAME.symbol.jsonl, ...")] = False,
    per_package_kind: Annotated[int, typer.Option("--per-package-kind", help="At most this many tasks of one kind from one package (0: no cap).")] = 40,
    eval_data: Annotated[Optional[Path], typer.Option("--eval-data", help="EditEval JSON Lines: tasks sharing a line of 20+ characters with its inputs or outputs are dropped (default: ../shared/eval/editeval.jsonl beside the checkout).")] = None,
    summary_out: Annotated[Optional[Path], typer.Option("--summary", help="Write the summary (counts, licence census, drops, sha256 of each output) as JSON here.")] = None,
    min_change: Annotated[float, typer.Option("--min-change", help="Leave out tasks whose diff (lines added and removed) is less than this share of the after-file's lines: answers to them are almost all copy.")] = 0.04,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Sources worked on in parallel.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the choices made per file.")] = 0,
    json_: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Edit tasks with known answers, made from real code: JSON Lines of {prompt, answer, meta}."""
    from vibecli.data.build import Options, build, read_eval_lines
    from vibecli.data.kinds import load

    env = Env(json=json_, quiet=quiet)
    with handled(env):
        if json_ and out is None:
            raise UsageError("--json prints the summary on standard output; give --out FILE for the tasks")
        try:
            import libcst  # noqa: F401
        except ImportError:
            raise VibeError("data synth edits code with LibCST: pip install 'vibecli[data]'") from None
        if all_formats and out is None:
            raise UsageError("--all-formats writes one file per format beside --out; give --out FILE")
        if edit_format not in ("auto", "symbol", "search", "whole"):
            raise UsageError(f"--format {edit_format}: synth writes auto, symbol, search or whole answers")
        wanted = set(kinds.split(",")) if kinds else None
        known = set(load()) | {"add_test", "comparison", "rename"}
        if wanted and not wanted <= known:
            raise UsageError(f"unknown task kind(s): {', '.join(sorted(wanted - known))}")
        eval_path = eval_data.expanduser() if eval_data else _default_eval()
        if eval_data is not None and not eval_path.is_file():
            raise UsageError(f"--eval-data {eval_data}: no such file")
        _check_sources(from_)
        options = Options(seed=seed, kinds=wanted, per_package_kind=per_package_kind, limit=limit, all_formats=all_formats,
                          edit_format=edit_format, eval_lines=read_eval_lines(eval_path), jobs=max(1, jobs),
                          min_change=min_change)
        outputs = _outputs(out, edit_format, all_formats)
        handles = {f: (p.open("w", encoding="utf-8") if p else sys.stdout) for f, p in outputs.items()}
        try:
            summary = build(list(from_), options, lambda f, row: handles[f].write(json.dumps(row, ensure_ascii=False) + "\n"),
                            lambda package, count: env.info(f"{package.name} {package.version} ({package.licence}): "
                                                            + (f"{count} tasks" if package.permissive else "left out")))
        except OSError as exc:
            raise VibeError(f"cannot write {out}: {exc.strerror}") from None
        finally:
            for handle in handles.values():
                if handle is not sys.stdout:
                    handle.close()
        report = summary.as_dict()
        report["contamination_check"] = str(eval_path) if options.eval_lines else "skipped: no EditEval file found"
        report["outputs"] = {f: {"path": str(p), "sha256": _sha256(p)} for f, p in outputs.items() if p}
        if summary_out is not None:
            summary_out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if env.json:
        env.emit_json({"status": "done", **report})
        return
    _print_report(env, report)


def _print_report(env: Env, report: dict) -> None:
    env.info(_census(report["packages"]))
    env.info(f"{report['tasks']} tasks ({', '.join(f'{k} {v}' for k, v in report['rows'].items())} rows) in {report['seconds']} s; "
             f"dropped: {report['overlap_dropped']} sharing lines with EditEval, {report['small_change_dropped']} changing "
             f"too little, {report['exact_duplicates']} exact and {report['near_duplicates']} near duplicates, "
             f"{sum(report['unverified'].values())} unverified")
    env.info("kinds: " + ", ".join(f"{k} {v}" for k, v in report["by_kind"].items()))
    env.info("phrasing: " + ", ".join(f"{k} {v}" for k, v in report["by_style"].items()) + "; naming: "
             + ", ".join(f"{k} {v}" for k, v in report["by_naming"].items()))
    for fmt, buckets in report["change_ratio"].items():
        env.info(f"changed lines / answer lines ({fmt}): " + ", ".join(f"{k} {v}" for k, v in buckets.items()))


def _check_sources(specs: list[str]) -> None:
    from vibecli.data.sources import open_source

    for spec in specs:
        if not Path(spec).expanduser().exists():
            open_source(spec)  # an installed package's name: fails with one line when there is none


def _outputs(out: Path | None, edit_format: str, all_formats: bool) -> dict[str, Path | None]:
    outputs: dict[str, Path | None] = {edit_format: out}
    if all_formats and out is not None:
        stem = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
        for fmt in ("symbol", "search", "whole"):
            if fmt != edit_format:
                outputs[fmt] = out.with_name(f"{stem}.{fmt}.jsonl")
    return outputs


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _census(packages: list[dict]) -> str:
    from vibecli.data.sources import Package, census

    made = [Package(p["name"], p["version"], p["licence"], p["licence_from"]) for p in packages]
    return "licence census:\n" + census(made, used={p["name"]: p["tasks"] for p in packages})


@app.command("kinds")
def list_kinds(json_: o.Json = False) -> None:
    """The task kinds synth makes, with their ruff rules where a ruff fix makes the same change."""
    from vibecli.data.kinds import load

    env = Env(json=json_)
    rows = [{"kind": k.name, "direction": k.direction, "units": list(k.units), "ruff_rules": list(k.ruff_rules)}
            for k in load().values()] + [{"kind": "add_test", "direction": "restore", "units": ["test"], "ruff_rules": []}]
    if env.json:
        env.emit_json({"kinds": rows})
        return
    for row in rows:
        env.info(f"{row['kind']:22} {row['direction']:8} {','.join(row['units']):24} {' '.join(row['ruff_rules'])}")
