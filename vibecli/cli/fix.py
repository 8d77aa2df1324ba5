"""`vibecli fix [PATHS...]`: run the checks, and have the model fix what they report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.runner import Job, locate, run_job, show
from vibecli.cli.wiring import handled, new_run_id, settings_for
from vibecli.core import EXIT_CHECKS, Report, UsageError

app = typer.Typer(rich_markup_mode=None)
MAX_FILES = 8


@app.command(epilog=o.EXIT_CODES_HELP)
@o.takes_settings("fix")
def fix(
    paths_: Annotated[Optional[List[str]], typer.Argument(metavar="[PATHS]...", help="Files to fix (default: the files the checks name).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when the fix would change files.")] = False,
    flags: o.SettingFlags = None,
    keep_failed: o.KeepFailed = False,
    yes: o.NeverAsks = False,
    allow_dirty: o.AllowDirty = False,
    trust_project: o.TrustProject = False,
    json_: o.Json = False,
    json_lines: o.JsonLines = False,
    quiet: o.Quiet = False,
    verbose: o.Verbose = False,
) -> None:
    """Run the configured checks; when they fail, ask the model to fix what they report.

    Nothing to fix is exit 0 without loading the model. Inside a pre-commit hook (PRE_COMMIT set) the files are edited but not committed, and the exit is 1 when a file changed, so the commit is retried, as formatters do.
    """  # noqa: E501
    env = Env(json=json_, json_lines=json_lines, quiet=quiet, verbose=verbose)
    hook = bool(os.environ.get("PRE_COMMIT"))
    with handled(env):
        if check or hook:
            flags["commit"] = False
        place = locate(False)
        settings = settings_for(place.root, flags, env, trust_project)
        commands = [(n, c) for n, c in (("lint", settings.lint_cmd), ("test", settings.test_cmd)) if c]
        if not commands:
            raise UsageError("fix needs a check: --lint-cmd, --test-cmd, or checks: in .vibecli.yaml")
        results = _baseline(commands, place.root, settings.check_timeout)
        failed = [r for r in results if not r.passed]
        targets, why = _targets(failed, paths_ or [], place) if failed else ([], "")
        if not failed:
            report = _nothing_to_fix(results)
        elif not targets:  # never green while a check fails
            report = _cannot_fix(results, why)
        else:
            feedback = "\n\n".join(r.feedback() for r in failed)
            instruction = f"Fix the problems these checks report, changing as little as possible.\n{feedback}"
            job = Job("fix", instruction, targets, flags, dry_run=check, allow_dirty=allow_dirty or hook,
                      keep_failed=keep_failed, yes=True, named=bool(paths_))
            report = run_job(env, job, place, settings)
            report.checks = [r.to_json(0) for r in results] + report.checks
            if report.status == "no_change":  # the checks fail and the model found nothing to change
                report.status, report.exit_code = "checks_failed", EXIT_CHECKS
                report.message = "the model proposed no change; the checks still fail"
    show(env, report, check)
    changed = report.exit_code == 0 and bool(report.files)
    raise typer.Exit(1 if changed and (check or hook) else report.exit_code)


def _baseline(commands, root: Path, timeout: int):
    from vibecli.checks import run_check

    results = []
    for name, command in commands:
        result = run_check(name, command, root, timeout)
        results.append(result)
        if not result.passed:
            break
    return results


def _targets(failed, given: list[str], place) -> tuple[list[str], str]:
    """The files to hand the model, and why there are none when so: those the checks name (or, when
    no line of their output parses, any file of the repository it mentions), narrowed to the given
    files; with nothing named at all, the given files, or else the changed (then tracked) files here."""
    from vibecli.check_output import mentioned_files
    from vibecli.workspace import Workspace

    root = place.root
    named = [p.path for r in failed for p in r.problems] or [f for r in failed for f in mentioned_files(r.output, root)]
    named = [rel for rel in dict.fromkeys(named) if _editable(root, rel)]
    if given:
        workspace = Workspace(root)
        relpaths = {workspace.user_path(p, place.cwd): p for p in given}
        if not named:
            return list(relpaths.values())[:MAX_FILES], ""  # unparsed output: every given file may be at fault
        chosen = [shown for rel, shown in relpaths.items() if rel in named][:MAX_FILES]
        return chosen, f"the checks fail in {_listed(named)}, not in the given files"
    if not named:
        named = _in_scope(place)
    shown = [str(root / rel if not (root / rel).is_relative_to(place.cwd) else (root / rel).relative_to(place.cwd))
             for rel in named]
    return shown[:MAX_FILES], "the checks fail, and no file they name is one vibecli can edit"


def _editable(root: Path, relpath: str) -> bool:
    from vibecli.edits.syntax import language_of

    path = root / relpath
    return path.is_file() and not path.is_symlink() and language_of(relpath) is not None


def _in_scope(place) -> list[str]:
    """The changed tracked files under the current folder, else its tracked files."""
    from vibecli.core import VibeError

    if place.repo is None:
        return []
    prefix = "" if place.cwd == place.root else place.cwd.relative_to(place.root).as_posix() + "/"
    try:
        tracked = [p for p in place.repo.tracked_files() if p.startswith(prefix) and _editable(place.root, p)]
        changed = set(place.repo.dirty(["."])) if tracked else set()
    except VibeError:
        return []
    return [p for p in tracked if p in changed] or tracked


def _listed(relpaths: list[str]) -> str:
    return ", ".join(relpaths[:5]) + (f" and {len(relpaths) - 5} more" if len(relpaths) > 5 else "")


def _nothing_to_fix(results) -> Report:
    report = Report(run_id=new_run_id(), status="no_change", message="the checks pass: nothing to fix")
    report.checks = [r.to_json(0) for r in results]
    return report


def _cannot_fix(results, why: str) -> Report:
    report = Report(run_id=new_run_id(), status="checks_failed", message=f"{why}; nothing was changed",
                    exit_code=EXIT_CHECKS)
    report.checks = [r.to_json(0) for r in results]
    return report
