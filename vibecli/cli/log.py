"""`vibecli log` and `vibecli log show RUN_ID`"""

from __future__ import annotations

import datetime
import json
from typing import Annotated

import typer
from rich.table import Column, Table
from rich.text import Text

from vibecli import paths
from vibecli.cli import options as o
from vibecli.cli.console import Env, visible
from vibecli.cli.wiring import handled

app = typer.Typer(rich_markup_mode=None, help="The logbook of runs: every prompt, answer and outcome.", invoke_without_command=True)


def _logbook():
    from vibecli.logbook import Logbook

    return Logbook(paths.logbook_file())


@app.callback()
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many recent runs.")] = 20,
    json_: o.Json = False,
) -> None:
    """List recent runs, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    env = Env(json=json_)
    with handled(env):
        runs = _logbook().recent(limit) if paths.logbook_file().exists() else []
    if env.json:
        env.emit_json({"runs": [{**r, "files": json.loads(r["files"])} for r in runs]})
        return
    if not runs:
        env.info("no runs logged yet")
        return
    table = Table(
        Column("run", no_wrap=True, min_width=12), Column("when", no_wrap=True, min_width=19),
        Column("status", no_wrap=True, min_width=8), Column("files", no_wrap=True, min_width=8, overflow="ellipsis"),
        Column("commit", no_wrap=True, min_width=12),
        Column("instruction", no_wrap=True, overflow="ellipsis"), box=None, pad_edge=False,
    )
    for r in runs:
        when = datetime.datetime.fromtimestamp(r["started_at"]).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(
            r["id"], when, r["status"], Text(visible(", ".join(json.loads(r["files"])), lines=False)),
            (r["commit_sha"] or "")[:12], Text(visible(r["instruction"][:60], lines=False)),
        )
    env.out.print(table)


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
