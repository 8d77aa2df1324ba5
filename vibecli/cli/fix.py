"""`vibecli fix [PATHS...]`: run the checks, and have the model fix what they report."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.runner import Job, locate, run_job, show
from vibecli.cli.wiring import handled, new_run_id, settings_for
from vibecli.core import EXIT_CHECKS, Report, UsageError, VibeError

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
            job = Job("fix", _instruction(failed), targets, flags, dry_run=check, allow_dirty=allow_dirty or hook,
                      keep_failed=keep_failed, yes=True, named=bool(paths_))
            ruff = _ruff_pass(failed, job, place, settings) if settings.fixers else None
            if ruff is not None:
                report = _ruff_then_model(env, job, ruff, commands, place, settings)
            else:
                report = run_job(env, job, place, settings)
            report.checks = [r.to_json(0) for r in results] + report.checks
            if report.status == "no_change":  # the checks fail and the model found nothing to change
                report.status, report.exit_code = "checks_failed", EXIT_CHECKS
                report.message = "the model proposed no change; the checks still fail"
    show(env, report, check)
    changed = report.exit_code == 0 and bool(report.files)
    raise typer.Exit(1 if changed and (check or hook) else report.exit_code)


def _instruction(failed) -> str:
    feedback = "\n\n".join(r.feedback() for r in failed)
    return f"Fix the problems these checks report, changing as little as possible.\n{feedback}"


def _ruff_pass(failed, job: Job, place, settings):
    """Ruff's own fixes for what a failing `ruff check` reports, when it has any for these files."""
    from vibecli.fixers.lint import ruff_first
    from vibecli.workspace import Workspace

    workspace = Workspace(place.root, settings.protected_paths)
    relpaths = [workspace.user_path(t, place.cwd, named=job.named) for t in job.targets]
    return ruff_first(failed, relpaths, workspace, place.repo, settings)


def _ruff_then_model(env: Env, job: Job, ruff, commands, place, settings) -> Report:
    """Ruff's fixes written first; the model gets only what the checks still report. A fix that ends
    in failure puts ruff's writes back too; one that succeeds commits both as one change."""
    from vibecli.cli.wiring import repo_lock
    from vibecli.fixers.lint import ruff_findings, write

    if job.dry_run:
        return _ruff_report(ruff, "applied", f"dry run: {ruff.who} would be written; nothing was written")
    with repo_lock(place.root, settings, env):
        write(ruff, settings.max_file_bytes)
    try:
        again = _baseline(commands, place.root, settings.check_timeout)
        ruff.after = ruff_findings([r for r in again if not r.passed])
        still = [r for r in again if not r.passed]
        if not still:
            report = _ruff_report(ruff, "applied", f"{ruff.who} made the checks pass")
            report.checks = [r.to_json(1) for r in again]
            _commit(report, job, place, settings)
            ruff.writes.settle()
            _log(report, job, place, settings, env)
            return report
        report = run_job(env, replace(job, instruction=_instruction(still), allow_dirty=True), place, settings)
        report.checks = [r.to_json(1) for r in again] + report.checks
        report.fixer = ruff.to_json(ruff.after if report.exit_code == 0 else 0)
        report.files = list(dict.fromkeys([c.relpath for c in ruff.changes] + report.files))
        report.diff = ruff.diff + report.diff
        if report.exit_code != 0 and not report.kept:
            ruff.writes.restore()
            report.message += f"; {ruff.who} were put back too"
            return report
        _commit(report, job, place, settings)
        ruff.writes.settle()
        return report
    except BaseException:
        ruff.writes.restore()
        raise


def _log(report: Report, job: Job, place, settings, env: Env) -> None:
    """A run ruff alone finished, in the logbook as the model's runs are (run_job records those)."""
    if not settings.log:
        return
    from vibecli import paths
    from vibecli.logbook import Logbook
    from vibecli.run_record import RunRecord

    run = RunRecord(id=report.run_id, command=job.command, instruction=job.instruction, paths=job.targets,
                    repo_root=str(place.root), model="ruff", backend="fixer", settings=dict(vars(settings)))
    report.total_s = time.perf_counter() - job.started
    try:
        Logbook(paths.logbook_file()).record(run, report)
    except VibeError as exc:  # the fix stands; only its record is missing
        env.note(f"this run is not in the logbook: {exc.message}")


def _ruff_report(ruff, status: str, message: str) -> Report:
    report = Report(run_id=new_run_id(), status=status, message=message, model="ruff", backend="fixer")
    report.files = [c.relpath for c in ruff.changes]
    report.diff = ruff.diff
    report.fixer = ruff.to_json(0)
    return report


def _commit(report: Report, job: Job, place, settings) -> None:
    """One commit of ruff's fixes and the model's, when this run commits."""
    from vibecli.fixers.lint import commit_text
    from vibecli.git import commit_message

    if place.repo is None or not settings.commit or report.kept:
        return
    fixed = report.fixer["fixed"]
    mine = " and vibecli's exact ones" if report.fixer["args"].get("own") else ""
    body = f"Fixed by vibecli: ruff's own fixes{mine} ({fixed['ruff']} finding(s)), the model ({fixed['model']})."
    message = commit_message("Fix what the checks report", body, report.model or "ruff", report.run_id)
    report.commit = place.repo.commit_files(commit_text(place.root, report.files), message)
    report.message = f"committed {report.commit[:12]}; ruff fixed {fixed['ruff']} finding(s), the model {fixed['model']}"


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
