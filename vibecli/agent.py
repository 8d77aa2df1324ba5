"""The edit loop: gather files, get a checked change from the model, write it, run the
project's checks (feeding failures back), commit. Interrupted at any moment, it leaves the
work tree and index as they were.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from vibecli.checks import CheckResult, run_check
from vibecli.conversation import Conversation, Failure, NoProgress, Progress, RepoMapSource
from vibecli.core import EXIT_OK, Backend, ChecksFailed, NoChange, Refused, Report, UsageError, VibeError
from vibecli.edits.apply import Change
from vibecli.edits.diff import unified_diff
from vibecli.edits.fileio import SourceFile, read_source, unchanged_on_disk, write_atomic
from vibecli.git import GitRepo, commit_message
from vibecli.logbook import RunRecord
from vibecli.settings import Settings
from vibecli.workspace import Workspace

__all__ = ["EditAgent", "EditRequest", "NoProgress", "Progress"]


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
    ):
        self.backend = backend
        self.workspace = workspace
        self.repo = repo
        self.settings = settings
        self.progress = progress or NoProgress()
        self.confirm = confirm
        self.context = context
        self.conversation = Conversation(backend, workspace, settings, run, self.progress, context)
        self._written: list[Change] = []
        self.report = Report(run_id=run.id, model=backend.model_name, backend=backend.name)
        self.report.usage = self.conversation.usage

    def run(self, request: EditRequest) -> Report:
        started = time.perf_counter()
        try:
            self._run(request)
        finally:
            self.report.attempts = self.conversation.attempts
            self.report.context.update(self.conversation.context_report)
            self.report.total_s = time.perf_counter() - started
        return self.report

    def _run(self, request: EditRequest) -> None:
        if not request.instruction.strip():
            raise UsageError("the instruction is empty: say what to change")
        relpaths = self._targets(request)
        files = {p: read_source(self.workspace.absolute(p), p, self.settings.max_file_bytes) for p in relpaths}
        dirty = self.repo.dirty(relpaths) if self.repo else []
        if dirty and not request.allow_dirty:
            raise Refused(f"{', '.join(dirty)} has uncommitted changes; commit them first or pass --allow-dirty")
        failures: list[Failure] = list(request.failures)
        changes = self._propose(request.instruction, files, failures)
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
            if self.repo is None or not self.settings.commit:
                self._finish("applied", "written; not committed")
                return
            if dirty:
                self._finish("applied", f"written; not committed because {', '.join(dirty)} had uncommitted changes")
                return
            self.progress.phase("Committing")
            body = f"Edited by vibecli from the request:\n\n{request.instruction.strip()}"
            message = commit_message(request.instruction, body, self.backend.model_name, self.report.run_id)
            self.report.commit = self.repo.commit_paths(self.report.files, message)
        except BaseException:
            committed = self.report.commit or (self.repo is not None and self.repo.head_sha() != head)
            if not committed and not self.report.kept:
                self._restore(self._written)
            raise
        self._finish("applied", f"committed {self.report.commit[:12]}")

    def _propose(self, instruction: str, files: dict[str, SourceFile], failures: list[Failure]) -> list[Change]:
        changes = self.conversation.propose(instruction, files, failures)
        changes = [c for c in changes if c.new_text != c.source.text or not c.source.exists]
        self.report.files = [c.relpath for c in changes]
        self.report.diff = "".join(unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in changes)
        return changes

    def _write_and_check(
        self, request: EditRequest, files: dict[str, SourceFile], changes: list[Change], failures: list[Failure]
    ) -> list[Change]:
        """Write the change and run the checks; on failure, feed them back and try again, up to max_rounds."""
        commands = [(n, c) for n, c in (("lint", self.settings.lint_cmd), ("test", self.settings.test_cmd)) if c]
        self._written = []
        for round_number in range(1, self.settings.max_rounds + 1):
            self.report.rounds = round_number if commands else 0
            self._write(changes)
            results = self._run_checks(commands)
            failed = [r for r in results if not r.passed]
            if not failed:
                return changes
            self._restore(changes)
            feedback = "\n\n".join(r.feedback() for r in failed)
            failures.append(Failure(self.conversation.last_answer, f"it applied, but the checks failed:\n{feedback}"))
            if round_number == self.settings.max_rounds:
                break
            changes = self._propose(request.instruction, files, failures)
            if not changes:
                break
        if request.keep_failed and changes:
            self._write(changes)
            self.report.kept = True
            raise ChecksFailed(f"the checks still fail after {self.report.rounds} round(s); the last attempt is "
                               f"left uncommitted in {', '.join(self.report.files)}")
        raise ChecksFailed(f"the checks still fail after {self.report.rounds} round(s); the files are as they were")

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
            relpaths = [self.workspace.user_path(p, request.cwd) for p in request.paths]
            return list(dict.fromkeys(relpaths))
        self.progress.phase("Choosing files")
        chosen = self.context.choose(request.instruction, self.settings.auto_files) if self.context else []
        if not chosen:
            raise UsageError("no file named and none found from the instruction: pass the files to edit as PATHS")
        self.report.context["chosen"] = [{"path": c.path, "score": round(c.score, 3), "why": c.why} for c in chosen]
        return [c.path for c in chosen]

    def _write(self, changes: list[Change]) -> None:
        for change in changes:
            if not unchanged_on_disk(change.source):
                raise Refused(f"{change.relpath} changed on disk while the model worked; nothing was written")
        for change in changes:
            self._written.append(change)
            try:
                write_atomic(change.source, change.new_text)
            except OSError as exc:
                raise VibeError(f"cannot write {change.relpath}: {exc.strerror}; no file was changed") from None

    def _restore(self, changes: list[Change]) -> None:
        """Put every file back as it was read (a created file is removed, and unstaged if it was added)."""
        for change in reversed(changes):
            if change.source.exists:
                write_atomic(change.source, change.source.text)
            else:
                change.source.path.unlink(missing_ok=True)
                if self.repo is not None:
                    self.repo.forget_added(change.relpath)
        for change in changes:
            if change in self._written:
                self._written.remove(change)
