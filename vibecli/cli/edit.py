"""`vibecli edit INSTRUCTION [PATHS...]`"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli import paths
from vibecli.cli import options as o
from vibecli.cli.console import Env, LiveProgress
from vibecli.cli.wiring import backend_for, find_repo, handled, new_run_id, settings_for
from vibecli.core import VibeError

app = typer.Typer()


@app.command(epilog=o.EXIT_CODES_HELP)
def edit(
    instruction: Annotated[str, typer.Argument(help="What to change, in plain language.")],
    paths_: Annotated[Optional[List[str]], typer.Argument(metavar="[PATHS]...", help="Files to edit (default: files the instruction names).")] = None,
    model: o.Model = None,
    backend: o.Backend = None,
    replay_file: o.ReplayFile = None,
    threads: o.Threads = None,
    gpu_layers: o.GpuLayers = None,
    seed: o.Seed = None,
    max_tokens: o.MaxTokens = None,
    max_attempts: Annotated[Optional[int], typer.Option("--max-attempts", help="Answers to try before exit 3.")] = None,
    grammar: Annotated[Optional[str], typer.Option("--grammar", help="lazy (default), always or off.")] = None,
    edit_format: Annotated[Optional[str], typer.Option("--format", help="Edit format: symbol (default), search or whole.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Never ask before writing (overrides confirm: true).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the diff; write and commit nothing.")] = False,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Leave the change in the work tree.")] = False,
    allow_dirty: Annotated[bool, typer.Option("--allow-dirty", help="Edit files with uncommitted changes (then not committed).")] = False,
    no_git: Annotated[bool, typer.Option("--no-git", help="Work outside git: nothing is checked against or committed to git.")] = False,
    json_: o.Json = False,
    quiet: o.Quiet = False,
    verbose: o.Verbose = False,
) -> None:
    """Edit code with the local model: a checked patch, then a git commit."""
    env = Env(json=json_, quiet=quiet, verbose=verbose)
    started = time.perf_counter()
    code = 0
    with handled(env):
        code = _edit(env, instruction, paths_ or [], locals(), started)
    raise typer.Exit(code)


def _edit(env: Env, instruction: str, targets: list[str], given: dict, started: float) -> int:
    from vibecli.agent import EditAgent, EditRequest
    from vibecli.logbook import Logbook, RunRecord
    from vibecli.workspace import Workspace

    cwd = Path.cwd()
    repo = None if given["no_git"] else find_repo(cwd)
    root = repo.root if repo else cwd
    flags = {k: given[k] for k in ("model", "backend", "replay_file", "threads", "gpu_layers", "seed", "max_tokens", "max_attempts", "grammar", "edit_format")}
    if given["no_commit"] or given["dry_run"]:
        flags["commit"] = False
    settings = settings_for(root, flags)
    run = RunRecord(id=new_run_id(), command="edit", instruction=instruction, paths=targets, repo_root=str(root))
    logbook = Logbook(paths.logbook_file()) if settings.log else None
    report = None
    try:
        with LiveProgress(env) as progress:
            progress.phase("Loading the model")
            backend = backend_for(settings, env)
            run.model, run.model_sha256, run.backend = backend.model_name, backend.model_sha256, backend.name
            run.settings = {k: v for k, v in vars(settings).items()}
            agent = EditAgent(backend, Workspace(root), repo, settings, run, progress, _confirmer(env, settings, given["yes"]))
            try:
                report = agent.run(EditRequest(instruction, targets, cwd, given["dry_run"], given["allow_dirty"]))
            except VibeError as exc:
                report = agent.report
                report.status, report.exit_code, report.message = exc.status, exc.exit_code, exc.message
    finally:
        if logbook is not None and report is not None:
            report.total_s = time.perf_counter() - started
            logbook.record(run, report)
    report.total_s = time.perf_counter() - started
    _show(env, report, given["dry_run"])
    return report.exit_code


def _confirmer(env: Env, settings, yes: bool):
    if yes or not settings.confirm or env.json or not (sys.stdin.isatty() and env.out.is_terminal):
        return None

    def ask(diff: str) -> bool:
        env.diff(diff)
        return typer.confirm("Apply this change?", default=False)

    return ask


def _show(env: Env, report, dry_run: bool) -> None:
    if env.json:
        obj = report.to_json()
        obj["dry_run"] = dry_run
        env.emit_json(obj)
    if report.exit_code != 0:
        env.error(VibeError.from_report(report), emit_json=False)
        return
    if env.json:
        return
    if env.quiet:
        return
    env.diff(report.diff)
    u = report.usage
    env.info(
        f"{report.status}: {report.message} · run {report.run_id} · {report.attempts} attempt(s) · "
        f"{u.prompt_tokens}+{u.completion_tokens} tokens · {report.total_s:.1f}s "
        f"(load {u.load_s:.1f}s, prompt {u.prompt_eval_s:.1f}s, generate {u.generate_s:.1f}s)"
    )
