"""`vibecli log` and `vibecli log show RUN_ID`"""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Optional

import typer
from rich.console import Group
from rich.table import Column, Table
from rich.text import Text

from vibecli import paths
from vibecli.cli import options as o
from vibecli.cli.console import Env, visible
from vibecli.cli.wiring import handled
from vibecli.core import EXIT_USAGE

app = typer.Typer(rich_markup_mode=None, help="The logbook of runs: every prompt, answer and outcome.", invoke_without_command=True)


def _logbook():
    from vibecli.logbook import Logbook

    return Logbook(paths.logbook_file())


@app.callback()
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many recent runs.")] = 20,
    search: Annotated[Optional[str], typer.Option("--search", "-s", help="Only runs whose instruction, files or run id contain TEXT (any case).", metavar="TEXT")] = None,
    all_: Annotated[bool, typer.Option("--all", help="List usage errors too (requests that were malformed; nothing was asked of the model).")] = False,
    json_: o.Json = False,
) -> None:
    """List recent runs, newest first, with what became of each (outcome: applied, reverted, amended, ...)."""
    if ctx.invoked_subcommand is not None:
        return
    env = Env(json=json_)
    with handled(env):
        runs = []
        if paths.logbook_file().exists():
            book = _logbook()
            _refresh_outcomes(book)
            runs = book.recent(limit, search=search, usage_errors=all_)
    for r in runs:
        r["files"] = json.loads(r["files"])
        r["outcome"] = outcome_of(r)
    if env.json:
        env.emit_json({"runs": runs})
        return
    if not runs:
        env.info(f"no run matches {search!r}" if search else "no runs logged yet")
        return
    env.out.print(run_list(runs, env.out.width))


def _refresh_outcomes(book) -> None:
    """Inside a repository, what git history says of its runs (reverted, amended) before listing them."""
    from pathlib import Path

    from vibecli.cli.runner import refresh_outcomes
    from vibecli.cli.wiring import find_repo
    from vibecli.core import VibeError

    try:
        repo = find_repo(Path.cwd())
    except VibeError:
        return  # not in a repository: the outcomes stay as last seen
    refresh_outcomes(book, repo)


def outcome_of(run: dict) -> str:
    """What the list shows: the outcome kept up to date from git history, or the run's own status."""
    if run["exit_code"] == EXIT_USAGE:
        return "usage_error"
    return run.get("outcome") or run["status"]


HEADERS = ("run", "when", "outcome", "commit", "files", "instruction")
GAP = 2
COMMIT_CHARS = 10
ROOM = 40
"""Files and instruction need at least this much room beside the other columns for a table;
with less, each run takes three lines, so that id, time, outcome and commit stay whole."""


def run_list(runs: list[dict], width: int):
    """The runs as a table; at a narrow terminal, as blocks. Only files and instruction are ever cut.

    The widths are set here, not by Rich: given too little room, Rich drops whole columns."""
    rows = [(r["id"], _when(r["started_at"]), r["outcome"], (r["commit_sha"] or "-")[:COMMIT_CHARS],
             visible(_files_cell(r["files"]), lines=False), visible(" ".join(r["instruction"].split()), lines=False))
            for r in runs]
    fixed = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(HEADERS[:4])]
    room = width - sum(fixed) - GAP * (len(HEADERS) - 1)
    if room >= ROOM:
        files = min(max(len(row[4]) for row in rows), room // 3)
        widths = [*fixed, max(files, len("files")), 0]
        widths[5] = room - widths[4]
        columns = [Column(h, width=w, no_wrap=True, overflow="ellipsis") for h, w in zip(HEADERS, widths)]
        table = Table(*columns, box=None, pad_edge=False, padding=(0, GAP // 2))
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        return table
    lines = []
    for run_id, when, outcome, commit, files, instruction in rows:
        head = f"{run_id}  {outcome}  {commit}  {when}"
        if len(head) <= width:
            rest = (f"  {files}", f"  {instruction}")
        else:
            head, rest = f"{run_id}  {outcome}  {commit}", (f"  {when}  {files}", f"  {instruction}")
        lines.append(Text(head))
        for text in rest:
            line = Text(text, no_wrap=True, overflow="ellipsis")
            line.truncate(width, overflow="ellipsis")
            lines.append(line)
    return Group(*lines)


def _when(started_at: float) -> str:
    return datetime.datetime.fromtimestamp(started_at).strftime("%Y-%m-%d %H:%M")


def _files_cell(files: list[str]) -> str:
    if len(files) <= 1:
        return files[0] if files else "-"
    return f"{len(files)} files: {', '.join(files)}"


@app.command()
def show(run_id: Annotated[str, typer.Argument(help="A run id, or a unique prefix of one.")], json_: o.Json = False) -> None:
    """Show one run whole: prompt, raw model output, edits, diff, outcome."""
    env = Env(json=json_)
    with handled(env):
        run = _logbook().show(run_id)
    if env.json:
        env.emit_json(run)
        return
    calls = run.pop("calls")
    for key, value in run.items():
        if key != "diff":
            env.show(f"{key}: {value}")
    for a in calls:
        env.show(f"\n--- call {a['number']} (attempt {a['attempt']}, {a['kind']}): "
                 f"{a['prompt_tokens']}+{a['completion_tokens']} tokens, error: {a['error']}")
        env.show("--- prompt ---")
        env.show(a["prompt"])
        env.show("--- output ---")
        env.show(a["output"])
    if run.get("diff"):
        env.show("\n--- diff ---")
        env.diff(run["diff"])
