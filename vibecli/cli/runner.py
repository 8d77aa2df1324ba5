"""What `edit` and `fix` share: settings, the model, the agent, the logbook and the report."""

from __future__ import annotations

import os
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import typer

from vibecli import paths
from vibecli.cli.console import Env, JsonLinesProgress, LiveProgress
from vibecli.cli.wiring import backend_for, find_repo, new_run_id
from vibecli.core import Refused, Report, UsageError, VibeError


@dataclass
class Job:
    command: str
    instruction: str
    targets: list[str]
    flags: dict
    dry_run: bool = False
    allow_dirty: bool = False
    keep_failed: bool = False
    no_git: bool = False
    yes: bool = False
    failures: tuple = ()
    named: bool = True
    """The user named `targets` (False: `fix` found them in a check's output)."""
    started: float = field(default_factory=time.perf_counter)


@dataclass
class Place:
    cwd: Path
    repo: object
    root: Path


def locate(no_git: bool) -> Place:
    cwd = Path.cwd()
    repo = None if no_git else find_repo(cwd)
    return Place(cwd, repo, repo.root if repo else cwd)


def read_instruction(instruction: str | None, instruction_file: str | None) -> str:
    """From the argument, from `-` (standard input) or from --instruction-file."""
    if instruction_file:
        try:
            return Path(instruction_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise VibeError(f"cannot read the instruction file {instruction_file}: {exc}") from None
    if instruction == "-":
        return sys.stdin.read()
    if instruction is None:
        raise UsageError("give an instruction, `-` to read it from standard input, or --instruction-file")
    return instruction


def run_job(
    env: Env, job: Job, place: Place, settings, backends: dict | None = None,
    choose: Callable[[], bool] | None = None,
) -> Report:
    """One request on the backends its route names: the local one, then (`route: auto`) a larger one.

    `backends` caches the model across jobs (batch, the session); `choose` asks whether to apply
    a change under `confirm: true` (default: a yes/no question)."""
    from dataclasses import replace

    from vibecli.routing import escalates, link, plan

    sides = plan(settings)
    report = previous = None
    for number, side in enumerate(sides):
        last = number == len(sides) - 1
        # a failed local attempt is never left in the work tree: the larger backend starts from the same files
        report = _run_once(env, job if last else replace(job, keep_failed=False), place, side.settings, backends,
                           previous, choose)
        if previous is not None:
            link(report, previous)
        if last or not escalates(report):
            break
        previous = report
        nxt = sides[number + 1].settings
        if env.json_lines:
            env.emit_json({"event": "escalated", "from_run": report.run_id, "from_backend": report.backend,
                           "status": report.status, "to_backend": nxt.backend})
        else:
            env.info(f"{report.backend} answer {report.status} ({report.message}); asking {nxt.backend} "
                     f"({nxt.endpoint_model or nxt.endpoint or nxt.model or 'default'})")
    return report


def _run_once(env: Env, job: Job, place: Place, settings, backends: dict | None, previous: Report | None,
              choose: Callable[[], bool] | None = None) -> Report:
    from vibecli import interrupts
    from vibecli.agent import EditAgent, EditRequest, check_instruction
    from vibecli.cli.wiring import repo_lock
    from vibecli.context.cache import cache_file
    from vibecli.context.repomap import RepoContext
    from vibecli.logbook import Logbook
    from vibecli.run_record import RunRecord
    from vibecli.workspace import Workspace

    interrupts.new_run()
    check_instruction(job.instruction)  # before anything records it
    run = RunRecord(id=new_run_id(), command=job.command, instruction=job.instruction, paths=job.targets,
                    repo_root=str(place.root), escalated_from=previous.run_id if previous else None)
    logbook = Logbook(paths.logbook_file()) if settings.log else None
    if logbook is not None and place.repo is not None:
        refresh_outcomes(logbook, place.repo)
    report = None
    try:
        with (JsonLinesProgress(env) if env.json_lines else LiveProgress(env)) as progress:
            progress.phase("Loading the model")
            backend = backend_for(settings, env, backends)
            run.model, run.model_sha256, run.backend = backend.model_name, backend.model_sha256, backend.name
            run.settings = dict(vars(settings))
            confirm = confirmer(env, settings, job.yes, progress, choose)
            context = RepoContext(place.root, cache_file(paths.cache_dir(), place.root), settings.max_file_bytes)
            agent = EditAgent(backend, Workspace(place.root, settings.protected_paths), place.repo, settings, run,
                              progress, confirm, context, repo_lock(place.root, settings, env),
                              paths.data_dir() / "rescued")
            request = EditRequest(job.instruction, job.targets, place.cwd, job.dry_run, job.allow_dirty,
                                  job.keep_failed, job.failures, job.named)
            try:
                report = agent.run(request)
            except VibeError as exc:
                report = agent.report
                report.status, report.exit_code, report.message = exc.status, exc.exit_code, exc.message
    finally:
        if logbook is not None and report is not None:
            report.total_s = time.perf_counter() - job.started
            try:
                logbook.record(run, report)
            except VibeError as exc:  # the edit stands; only its record is missing
                env.note(f"this run is not in the logbook: {exc.message}")
    report.total_s = time.perf_counter() - job.started
    return report


def refresh_outcomes(logbook, repo) -> None:
    """Outcomes of earlier runs in this repository, from git history; never a reason for this run to fail."""
    from vibecli.outcomes import update_outcomes

    try:
        update_outcomes(logbook, repo)
    except VibeError:
        pass


def confirmer(env: Env, settings, yes: bool, progress=None, choose: Callable[[], bool] | None = None):
    """With `confirm: true`: ask at a terminal; where nobody can answer, refuse (exit 5), never hang.

    The spinner stops while the question waits, so that it does not draw over the answer."""
    if yes or not settings.confirm:
        return None
    if env.json or os.environ.get("CI") or not (sys.stdin.isatty() and env.out.is_terminal):
        def refuse(diff: str) -> bool:
            raise Refused("confirm is on and nobody can answer here (not a terminal, or CI); pass --yes")

        return refuse

    def ask(diff: str) -> bool:
        with paused(progress):
            env.diff(diff)
            return choose() if choose else typer.confirm("Apply this change?", default=False)

    return ask


def show(env: Env, report: Report, dry_run: bool) -> None:
    if env.machine:
        obj = report.to_json()
        obj["dry_run"] = dry_run
        if env.json_lines and report.status == "applied":
            env.emit_json({"event": "applied", "files": report.files, "commit": report.commit})
        env.emit_json({"event": "done", "report": obj} if env.json_lines else obj)
    if report.exit_code != 0:
        env.error(VibeError.from_report(report), emit_json=False)
        return
    if env.machine or env.quiet:
        return
    env.diff(report.diff)
    env.info(summary(report))


def summary(report: Report) -> str:
    """The one human line after a run."""
    u = report.usage
    return (
        f"{report.status}: {report.message} · run {report.run_id} · {report.attempts} attempt(s) · "
        f"{u.prompt_tokens}+{u.completion_tokens} tokens · {report.total_s:.1f}s "
        f"(load {u.load_s:.1f}s, prompt {u.prompt_eval_s:.1f}s, generate {u.generate_s:.1f}s)"
    )


def paused(progress):
    """The progress display stopped for a while (a question at the terminal)."""
    pause = getattr(progress, "paused", None)
    return pause() if pause else nullcontext()
