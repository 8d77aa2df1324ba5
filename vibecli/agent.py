"""The edit loop: gather files, get a checked change from the model, write it, run the
project's checks (feeding failures back), commit. Interrupted at any moment, it leaves the
work tree and index as they were; once the commit has landed, it says so.

One run at a time in a repository (`lock`), from reading the files to the commit. What is on
disk decides what is put back (vibecli.edits.writes): a file someone saved meanwhile is theirs,
and vibecli's version goes to a patch file instead.
"""

from __future__ import annotations

import os
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from vibecli import interrupts, paths
from vibecli.checks import CheckResult, run_check
from vibecli.chooser import Chooser
from vibecli.conversation import Conversation, Failure, NoProgress, Progress, RepoMapSource
from vibecli.core import EXIT_OK, Backend, ChecksFailed, NoChange, Refused, Report, Terminated, UsageError, VibeError
from vibecli.edits.apply import Change
from vibecli.edits.diff import unified_diff
from vibecli.edits.fileio import SourceFile, read_source
from vibecli.edits.writes import Conflict, WriteSet, rescue_patch
from vibecli.git import GitRepo, commit_message
from vibecli.run_record import RunRecord
from vibecli.sandbox import Trial
from vibecli.settings import Settings
from vibecli.workspace import Workspace

__all__ = ["EditAgent", "EditRequest", "NoProgress", "Progress", "check_instruction"]


class FileChooser(RepoMapSource, Protocol):
    """The repo map, as the agent uses it: to choose files and to map the rest."""

    def choose(self, instruction: str, limit: int) -> list: ...


@dataclass(frozen=True)
class EditRequest:
    instruction: str
    paths: list[str]
    cwd: Path
    dry_run: bool = False
    allow_dirty: bool = False
    keep_failed: bool = False
    failures: tuple[Failure, ...] = ()
    """What the model is told up front (for `fix`: what the checks reported)."""
    named: bool = True
    """The user named `paths` for this run (False: found for them, e.g. from a check's output);
    only a path the user named may be a protected one."""


def check_instruction(instruction: str) -> None:
    """An instruction vibecli can act on and record: not empty, text, no NUL."""
    if not instruction.strip():
        raise UsageError("the instruction is empty: say what to change")
    if "\0" in instruction:
        raise UsageError("the instruction holds a NUL character")
    try:
        instruction.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("the instruction is not valid UTF-8 text") from None


class EditAgent:
    def __init__(
        self,
        backend: Backend,
        workspace: Workspace,
        repo: GitRepo | None,
        settings: Settings,
        run: RunRecord,
        progress: Progress | None = None,
        confirm: Callable[[str], bool] | None = None,
        context: FileChooser | None = None,
        lock: AbstractContextManager | None = None,
        rescue_dir: Path | None = None,
    ):
        self.backend = backend
        self.workspace = workspace
        self.repo = repo
        self.settings = settings
        self.progress = progress or NoProgress()
        self.confirm = confirm
        self.context = context
        self.lock = lock or nullcontext()
        self.rescue_dir = rescue_dir
        self.conversation = Conversation(backend, workspace, settings, run, self.progress, context)
        self.writes = WriteSet(settings.max_file_bytes)
        self.report = Report(run_id=run.id, model=backend.model_name, backend=backend.name)
        self.report.usage = self.conversation.usage
        self.chooser = Chooser(settings, workspace.root, self._work_files, run, self.progress)
        self.trial: Trial | None = None
        """The chosen result's checks, when they ran in a copy of the tree (several candidates)."""

    def run(self, request: EditRequest) -> Report:
        started = time.perf_counter()
        try:
            check_instruction(request.instruction)
            relpaths = self._targets(request)
            with self.lock:
                self._run(request, relpaths)
        finally:
            self.report.attempts = self.conversation.attempts
            self.report.context.update(self.conversation.context_report)
            self.report.candidates = self.chooser.report()
            self.report.total_s = time.perf_counter() - started
        return self.report

    def _run(self, request: EditRequest, relpaths: list[str]) -> None:
        files = {p: read_source(self.workspace.absolute(p), p, self.settings.max_file_bytes) for p in relpaths}
        dirty = self.repo.dirty(relpaths) if self.repo else []
        if dirty and not request.allow_dirty:
            raise Refused(f"{', '.join(dirty)} has uncommitted changes; commit them first or pass --allow-dirty")
        committing = self.repo is not None and self.settings.commit and not dirty and not request.dry_run
        if not request.dry_run:
            _refuse_read_only(files)
        if committing and (busy := self.repo.operation_in_progress()):
            raise Refused(f"{busy} is in progress in this repository; vibecli does not commit in the middle of it")
        failures: list[Failure] = list(request.failures)
        changes = self._fixed(request, files) or self._propose(request.instruction, files, failures)
        if not changes:
            raise NoChange(f"the model's answers changed nothing in {self.conversation.attempts} attempt(s); "
                           "nothing was written")
        if request.dry_run:
            self._finish("applied", "dry run: nothing was written")
            return
        if self.confirm is not None and not self.confirm(self.report.diff):
            self.report.files = []
            self._finish("declined", "not applied: declined at the prompt")  # the user's choice: exit 0
            return
        head = self.repo.head_sha() if self.repo else None
        try:
            # from the first write on, any failure or interrupt puts the files back
            changes = self._write_and_check(request, files, changes, failures)
            if not committing:
                why = f" because {', '.join(dirty)} had uncommitted changes" if dirty else ""
                self._leave("applied", f"written; not committed{why}")
                return
            self._commit(request, changes)
        except BaseException as exc:
            if not self._unwind(exc, head):
                raise

    def _commit(self, request: EditRequest, changes: list[Change]) -> None:
        moved = self.writes.moved()
        if moved:
            raise Conflict(f"{', '.join(moved)} changed on disk while the checks ran", moved)
        self.progress.phase("Committing")
        body = f"Edited by vibecli from the request:\n\n{request.instruction.strip()}"
        message = commit_message(request.instruction, body, self._maker(), self.report.run_id)
        try:
            sha = self.repo.commit_files({c.relpath: c.source.encode(c.new_text) for c in changes}, message)
        except Refused:
            raise
        except VibeError as exc:
            raise VibeError(f"{exc.message}; the files are as they were") from None
        self.report.commit = sha
        interrupts.landed(f"commit {sha[:12]}")
        self.writes.settle()
        self._finish("applied", f"committed {sha[:12]}")

    def _leave(self, status: str, message: str) -> None:
        """The written files stay, on purpose (no commit): the run's result stands."""
        interrupts.landed("the edit")
        self.writes.settle()
        self._finish(status, message)

    def _unwind(self, exc: BaseException, head: str | None) -> bool:
        """After a failure or an interrupt from the first write on. True when the run stands after
        all (the commit had landed); otherwise the files are put back and the caller re-raises."""
        interrupted = isinstance(exc, (KeyboardInterrupt, Terminated))
        sha = self.report.commit or (self.repo.head_sha() if self.repo is not None else None)
        if self.repo is not None and sha != head:
            interrupts.landed(f"commit {sha[:12]}")
            interrupts.settled()  # the interrupt is answered: the report says it came after the commit
            self.writes.settle()
            self.report.commit = sha
            then = "interrupted after the commit landed" if interrupted else \
                f"then: {getattr(exc, 'message', type(exc).__name__)}"
            self._finish("applied", f"committed {sha[:12]}; {then}")
            return True
        if self.report.kept:
            interrupts.landed("the last attempt")
            self.writes.settle()
            return False
        with interrupts.deferred():  # the clean-up itself is never cut short
            kept = self.writes.restore()
            moved = sorted(set(kept) | set(exc.paths if isinstance(exc, Conflict) else []))
            if not moved:
                return False
            where = self._rescue(self.writes.last)
        if interrupted:
            return False
        raise Refused(f"{', '.join(moved)} changed on disk while vibecli worked: yours is kept, and nothing "
                      f"more was written; vibecli's version is {where}") from None

    def _rescue(self, changes: list[Change]) -> str:
        folder = self.rescue_dir or paths.data_dir() / "rescued"
        try:
            return f"in {rescue_patch(changes, folder, self.report.run_id)}"
        except OSError as exc:
            return f"lost: it could not be saved in {folder} ({exc.strerror})"

    def _propose(self, instruction: str, files: dict[str, SourceFile], failures: list[Failure]) -> list[Change]:
        if self.report.fixer is not None:  # the fixer's change failed the checks: the model takes over
            self.report.fixer["fell_back"] = True
        survivors = self.conversation.propose(instruction, files, failures)
        winner, self.trial = self.chooser.choose(survivors, self._commands())
        self.conversation.settle(winner)
        changes = winner.changes
        changes = [c for c in changes if c.new_text != c.source.text or not c.source.exists]
        self.report.files = [c.relpath for c in changes]
        self.report.diff = "".join(unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in changes)
        return changes

    def _fixed(self, request: EditRequest, files: dict[str, SourceFile]) -> list[Change]:
        """The change of a fixer (ruff's own fixes, an exact rename) when the request is one a tool
        carries out by construction (vibecli.fixers); [] to ask the model as usual."""
        if not self.settings.fixers:
            return []
        from vibecli.fixers.edit import fixer_changes

        found = fixer_changes(request.instruction, files, self.workspace, self.repo, self.settings,
                              self._route_picker if self.settings.route_model else None)
        if found is None:
            return []
        route, changes = found
        self.report.fixer = route.to_json()
        self.progress.event("fixer", **self.report.fixer)
        self.progress.phase(f"Applying the {route.name} fixer")
        self.report.files = [c.relpath for c in changes]
        self.report.diff = "".join(unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in changes)
        return changes

    def _maker(self) -> str:
        """Who made the committed change, for the commit's trailer: the model, or the fixer (and
        the model that routed to it)."""
        fixer = self.report.fixer
        if not fixer or fixer.get("fell_back"):
            return self.backend.model_name
        routed = f", routed by {self.backend.model_name}" if fixer["args"].get("by") == "model" else ""
        return f"{fixer['name']} (fixer{routed})"

    def _route_picker(self):
        """The embedded model with the route adapter, where `route_model` asks for it and the
        backend is the embedded model in process; None otherwise."""
        make = getattr(self.backend, "picker", None)
        if make is None:
            return None
        from vibecli.adapters import ROUTE

        return make(ROUTE)

    def _write_and_check(
        self, request: EditRequest, files: dict[str, SourceFile], changes: list[Change], failures: list[Failure]
    ) -> list[Change]:
        """Write the change and run the checks; on failure, feed them back and try again, up to max_rounds."""
        commands = self._commands()
        for round_number in range(1, self.settings.max_rounds + 1):
            self.report.rounds = round_number if commands else 0
            if self.trial is not None and not self.trial.passed:
                # it failed in its copy: the user's tree is not touched, its results are this round's
                results = self.trial.results
                self.report.checks.extend(r.to_json(round_number) for r in results)
            else:
                # the winner's checks run again where the user's are run: a copy lacks what git
                # ignores (a virtualenv, build outputs), and a green result must be a true one
                self.writes.write(changes)
                results = self._run_checks(commands)
            failed = [r for r in results if not r.passed]
            if not failed:
                return changes
            with interrupts.deferred():
                kept = self.writes.restore()
            if kept:
                raise Conflict(f"{', '.join(kept)} changed on disk while the checks ran", kept)
            feedback = "\n\n".join(r.feedback() for r in failed)
            failures.append(Failure(self.conversation.last_answer, f"it applied, but the checks failed:\n{feedback}"))
            if round_number == self.settings.max_rounds:
                break
            changes = self._propose(request.instruction, files, failures)
            if not changes:
                break
        if request.keep_failed and changes:
            self.writes.write(changes)
            self.report.kept = True
            raise ChecksFailed(f"the checks still fail after {self.report.rounds} round(s); the last attempt is "
                               f"left uncommitted in {', '.join(self.report.files)}")
        raise ChecksFailed(f"the checks still fail after {self.report.rounds} round(s); the files are as they were")

    def _commands(self) -> list[tuple[str, str]]:
        return [(n, c) for n, c in (("lint", self.settings.lint_cmd), ("test", self.settings.test_cmd)) if c]

    def _work_files(self) -> list[str]:
        """What a copy of the work tree holds (without git: every file but those under `.git`)."""
        if self.repo is not None:
            return self.repo.work_files()
        root = self.workspace.root
        return [str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.relative_to(root).parts]

    def _run_checks(self, commands: list[tuple[str, str]]) -> list[CheckResult]:
        results = []
        for name, command in commands:
            self.progress.phase(f"Running the {name} check: {command}")
            result = run_check(name, command, self.workspace.root, self.settings.check_timeout)
            results.append(result)
            self.progress.event("check", name=name, passed=result.passed, exit_code=result.exit_code,
                                seconds=round(result.seconds, 3), round=self.report.rounds)
            self.report.checks.append(result.to_json(self.report.rounds))
            if not result.passed:
                break  # the tests of code that does not lint are not worth their time
        return results

    def _finish(self, status: str, message: str) -> None:
        self.report.status = status
        self.report.message = message
        self.report.exit_code = EXIT_OK

    def _targets(self, request: EditRequest) -> list[str]:
        if request.paths:
            relpaths = [self.workspace.user_path(p, request.cwd, named=request.named) for p in request.paths]
            return list(dict.fromkeys(relpaths))
        self.progress.phase("Choosing files")
        chosen = self.context.choose(request.instruction, self.settings.auto_files) if self.context else []
        chosen = [c for c in chosen if _writable(self.workspace, c.path)]
        if not chosen:
            raise UsageError("no file named and none found from the instruction: pass the files to edit as PATHS")
        self.report.context["chosen"] = [{"path": c.path, "score": round(c.score, 3), "why": c.why} for c in chosen]
        return [c.path for c in chosen]


def _writable(workspace: Workspace, relpath: str) -> bool:
    """A file chosen for the user (not named by them) is one vibecli may write."""
    try:
        workspace.checked(relpath)
    except Refused:
        return False
    return True


def _refuse_read_only(files: dict[str, SourceFile]) -> None:
    """A file nobody may write (chmod a-w) is read-only on purpose: replacing it would undo that
    (exit 5). One this process cannot write (a read-only file system, permissions) fails at once
    (exit 1), before the model's time is spent."""
    for relpath, source in files.items():
        if not source.exists:
            continue
        if not source.mode & 0o222:
            raise Refused(f"{relpath} is read-only; vibecli does not replace read-only files")
        if not os.access(source.path, os.W_OK):
            read_only_fs = bool(os.statvfs(source.path).f_flag & os.ST_RDONLY) if hasattr(os, "statvfs") else False
            why = "Read-only file system" if read_only_fs else "permission denied"
            raise VibeError(f"cannot write {relpath}: {why}; nothing was changed")
