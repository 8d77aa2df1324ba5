"""`vibecli edit INSTRUCTION [PATHS...]`"""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.runner import Job, locate, read_instruction, run_job, show
from vibecli.cli.wiring import handled, settings_for

app = typer.Typer(rich_markup_mode=None)


@app.command(epilog=o.EXIT_CODES_HELP)
@o.takes_settings("edit")
def edit(
    instruction: Annotated[Optional[str], typer.Argument(help="What to change, in plain language (`-`: read standard input).")] = None,
    paths_: Annotated[Optional[List[str]], typer.Argument(metavar="[PATHS]...", help="Files to edit (default: files the instruction names).")] = None,
    instruction_file: o.InstructionFile = None,
    flags: o.SettingFlags = None,
    keep_failed: o.KeepFailed = False,
    yes: o.Yes = False,
    dry_run: o.DryRun = False,
    allow_dirty: o.AllowDirty = False,
    no_git: o.NoGit = False,
    trust_project: o.TrustProject = False,
    json_: o.Json = False,
    json_lines: o.JsonLines = False,
    quiet: o.Quiet = False,
    verbose: o.Verbose = False,
) -> None:
    """Edit code with the local model: a checked patch, then a git commit."""
    env = Env(json=json_, json_lines=json_lines, quiet=quiet, verbose=verbose)
    with handled(env):
        if instruction_file and paths_ is None and instruction is not None:
            paths_, instruction = [instruction], None  # with --instruction-file, every argument is a path
        elif instruction_file and instruction is not None:
            paths_, instruction = [instruction, *paths_], None
        text = read_instruction(instruction, instruction_file)
        if dry_run:
            flags["commit"] = False
        place = locate(no_git)
        settings = settings_for(place.root, flags, env, trust_project)
        job = Job("edit", text, paths_ or [], flags, dry_run, allow_dirty, keep_failed, no_git, yes)
        report = run_job(env, job, place, settings)
    show(env, report, dry_run)
    raise typer.Exit(report.exit_code)
