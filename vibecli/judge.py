"""Judging the model's answers: parse the envelope, check the edits, apply them in memory.

Every answer of an attempt goes through the same checks; the valid ones come out as distinct
survivors, the rejected ones with the reason the model is shown next time. Nothing here writes a file.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from vibecli.core import ApplyError, Candidate, Edit, EnvelopeError, Refused
from vibecli.edits.apply import Change, apply_edits, check_addresses
from vibecli.edits.diff import unified_diff
from vibecli.edits.envelope import parse_envelope
from vibecli.edits.fileio import SourceFile, new_source
from vibecli.edits.grammar import FORMATS
from vibecli.edits.imports import add_missing_imports
from vibecli.edits.structure import structural_problem
from vibecli.run_record import Call, CandidateRow, RunRecord
from vibecli.selection import Survivor, merge
from vibecli.settings import Settings
from vibecli.workspace import Workspace

NO_CHANGE = "the answer repeats the code unchanged, but the request asks for a change; write the changed code"


def _check_format(edits: list[Edit], edit_format: str) -> None:
    """An explicit format is a contract; under `auto`, any well-formed operation is welcome."""
    if edit_format == "auto":
        return
    allowed = FORMATS[edit_format]
    for edit in edits:
        if edit.op not in allowed:
            raise EnvelopeError(f"`@@ {edit.op}` is not part of this edit format; use {', '.join(allowed)}")


def _check_sizes(changes: list[Change], limit: int) -> None:
    """No file is written that vibecli would then refuse to read: the answer goes back to the model."""
    for change in changes:
        size = len(change.source.encode(change.new_text))
        if size > limit:
            raise ApplyError(f"{change.relpath} would be {size} bytes, over the limit of {limit} (max_file_bytes); "
                             "write a smaller file")


def _shown(answer: str, finish: str) -> str:
    """A rejected answer as the retry prompt quotes it. A looping one is left out: the model
    copies what it is shown, so quoting it (or a "..." standing for its rest) primes more of it."""
    if finish == "loop":
        return ""
    return "\n".join(answer.strip().split("\n")[:60])


class Judge:
    """Every answer of an attempt through the same checks; the valid ones as distinct survivors."""

    def __init__(self, workspace: Workspace, settings: Settings, run: RunRecord, instruction: str,
                 files: dict[str, SourceFile], symbols: dict[str, list[str]]):
        self.workspace = workspace
        self.settings = settings
        self.run_record = run
        self.instruction = instruction
        self.files = files
        self.symbols = symbols

    def all(self, attempt: int, call: Call, answers: list[tuple[str, Candidate | None]], final: bool,
            many: bool) -> tuple[list[Survivor], list[tuple[str, str, str]]]:
        """(the distinct survivors, and (shown answer, error, `envelope`|`apply`) of each rejected one,
        in the order asked); a refused answer refuses the run, as a single one does."""
        survivors, errors, refused = [], [], None
        for index, (text, candidate) in enumerate(answers):
            finish = candidate.finish if candidate is not None else call.finish
            row = CandidateRow(attempt, index, candidate.seed if candidate else None,
                               candidate.temperature if candidate else call.temperature,
                               candidate.logprob if candidate else None, finish, text)
            try:
                survivors.append(self.one(row, call, many, final))
            except (EnvelopeError, ApplyError) as exc:
                row.verdict, row.reason = "invalid", str(exc)
                errors.append((_shown(text, finish), str(exc), "envelope" if isinstance(exc, EnvelopeError) else "apply"))
            except Refused as exc:
                row.verdict, row.reason = "refused", exc.message
                refused = refused or exc
            if many:
                self.run_record.candidates.append(row)
        if refused is not None:
            call.error = f"refused: {refused.message}"
            raise Refused(f"the model's answer was refused: {refused.message}; nothing was written") from None
        return merge(survivors), errors

    def one(self, row: CandidateRow, call: Call, many: bool, final: bool) -> Survivor:
        if row.finish == "loop":
            raise EnvelopeError("the answer repeated the same lines over and over; write each definition once")
        edits = parse_envelope(row.output)
        row.edits = [asdict(e) for e in edits]
        if not many:
            call.edits = row.edits  # a rejected answer's edits are kept for its preference pair
        changes = self.validate(edits, final)
        changed = [c for c in changes if c.new_text != c.source.text or not c.source.exists]
        row.diff = "".join(unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in changed)
        return Survivor(changes, _shown(row.output, row.finish), [row])

    def validate(self, edits: list[Edit], final: bool) -> list[Change]:
        """The changes an answer's edits make, checked as every answer's are; raises
        EnvelopeError, ApplyError (fed back to the model) or Refused."""
        for edit in edits:
            self.workspace.checked(edit.path)
        _check_format(edits, self.settings.edit_format)
        check_addresses(edits, self.symbols)
        new_files = {e.path: new_source(self.workspace.absolute(e.path), e.path) for e in edits if e.op == "create"}
        changes = apply_edits(edits, self.files, new_files)
        if any("\0" in c.new_text for c in changes):
            raise ApplyError("the code holds a NUL character; write text only")
        # an import the result forgot, where the standard library can mean one thing only, is added
        # rather than rejected: the rest of such an answer is often sound
        changes = [replace(c, new_text=add_missing_imports(c.source.text, c.new_text)[0])
                   if c.source.exists and c.relpath.endswith(".py") else c for c in changes]
        _check_sizes(changes, self.settings.max_file_bytes)
        for change in changes:
            if change.source.exists:
                problem = structural_problem(self.instruction, change.relpath, change.source.text, change.new_text)
                if problem:
                    raise ApplyError(problem)
        if not final and all(c.source.exists and c.new_text == c.source.text for c in changes):
            # a small model often copies the code it was shown; an unchanged answer to a
            # request for a change is a miss while attempts remain (after the last, the
            # edit ends as no_change: the request was not carried out)
            raise ApplyError(NO_CHANGE)
        return changes
