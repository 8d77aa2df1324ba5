"""The edit loop: gather files, ask the model, check its answer, apply, commit.

run -> ask -> check -> (retry with the error) -> write -> commit, over plain data.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Protocol

from vibecli.backends.replay import ReplayExhausted
from vibecli.core import (
    EXIT_OK,
    ApplyError,
    Backend,
    Edit,
    EnvelopeError,
    Refused,
    Rejected,
    Report,
    UsageError,
    VibeError,
)
from vibecli.edits import syntax
from vibecli.edits import languages
from vibecli.edits.apply import Change, Context, apply_edits, check_addresses
from vibecli.edits.diff import unified_diff
from vibecli.edits.envelope import BLOCKS, DONE, FENCE, HEADER, parse_envelope
from vibecli.edits.fileio import SourceFile, new_source, read_source, unchanged_on_disk, write_atomic
from vibecli.edits.grammar import FORMATS, header_grammar
from vibecli.git import GitRepo, commit_message
from vibecli.logbook import Call, RunRecord
from vibecli.prompts import edit_prompt
from vibecli.settings import Settings
from vibecli.workspace import Workspace

FREE_STOPS = [DONE, "\n=== ", "\n### "]
# the code ends at its closing fence, or where the model starts a new section of the prompt
BODY_STOPS = ["\n" + FENCE, "\n### ", "\n=== ", "\n@@ "]
RETRY_TEMPERATURE = 0.5
HEADER_TOKENS = 48


def _token_budget(files: dict[str, SourceFile]) -> int:
    """Enough tokens to rewrite every file in context once, with room to grow; code is ~3 bytes a token."""
    size = sum(len(s.text.encode("utf-8")) for s in files.values())
    return int(size / 3 * 1.5) + 128


def _fence(path: str) -> str:
    spec = languages.language_for(path)
    return spec.fence if spec else ""


def _check_format(edits: list[Edit], edit_format: str) -> None:
    allowed = FORMATS[edit_format]
    for edit in edits:
        if edit.op not in allowed:
            raise EnvelopeError(f"`@@ {edit.op}` is not part of this edit format; use {', '.join(allowed)}")


def _shown(answer: str, finish: str) -> str:
    """A rejected answer as the retry prompt quotes it. A looping one is left out: the model
    copies what it is shown, so quoting it (or a "..." standing for its rest) primes more of it."""
    if finish == "loop":
        return ""
    return "\n".join(answer.strip().split("\n")[:60])


def _looping(tail: str) -> bool:
    """A small model stuck repeating itself: the last six full lines hold at most two distinct lines."""
    lines = tail.split("\n")[:-1][-6:]
    return len(lines) == 6 and all(line.strip() for line in lines) and len(set(lines)) <= 2


class Progress(Protocol):
    def phase(self, text: str) -> None: ...

    def tokens(self, count: int) -> None: ...


class NoProgress:
    def phase(self, text: str) -> None:
        pass

    def tokens(self, count: int) -> None:
        pass


@dataclass(frozen=True)
class EditRequest:
    instruction: str
    paths: list[str]
    cwd: Path
    dry_run: bool = False
    allow_dirty: bool = False


@dataclass
class _Failure:
    answer: str
    error: str


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
    ):
        self.backend = backend
        self.workspace = workspace
        self.repo = repo
        self.settings = settings
        self.run_record = run
        self.progress = progress or NoProgress()
        self.confirm = confirm
        self.report = Report(run_id=run.id, model=backend.model_name, backend=backend.name)

    def run(self, request: EditRequest) -> Report:
        started = time.perf_counter()
        try:
            self._run(request)
        finally:
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
        changes = self._converse(request.instruction, files)
        changes = [c for c in changes if c.new_text != c.source.text or not c.source.exists]
        self.report.files = [c.relpath for c in changes]
        self.report.diff = "".join(
            unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in changes
        )
        if not changes:
            self._finish("no_change", "the model's answer changes nothing")
            return
        if request.dry_run:
            self._finish("applied", "dry run: nothing was written")
            return
        if self.confirm is not None and not self.confirm(self.report.diff):
            self.report.files = []
            self._finish("no_change", "not applied: declined at the prompt")
            return
        self._write(changes)
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
        self._finish("applied", f"committed {self.report.commit[:12]}")

    def _finish(self, status: str, message: str) -> None:
        self.report.status = status
        self.report.message = message
        self.report.exit_code = EXIT_OK

    def _targets(self, request: EditRequest) -> list[str]:
        if request.paths:
            relpaths = [self.workspace.user_path(p, request.cwd) for p in request.paths]
            return list(dict.fromkeys(relpaths))
        found = self._mentioned_files(request.instruction)
        if not found:
            raise UsageError("no file named and none found from the instruction: pass the files to edit as PATHS")
        return found

    def _mentioned_files(self, instruction: str) -> list[str]:
        """Tracked files the instruction names, by path, file name or a definition in them."""
        if self.repo is None:
            return []
        words = set(re.findall(r"[A-Za-z_][\w./-]*", instruction))
        found = []
        for relpath in self.repo.tracked_files():
            language = syntax.language_of(relpath)
            if language is None:
                continue
            name = Path(relpath).name
            if relpath in words or name in words or Path(relpath).stem in words:
                found.append(relpath)
                continue
            path = self.workspace.absolute(relpath)
            try:
                if path.stat().st_size > self.settings.max_file_bytes:
                    continue
                defs = syntax.definitions(language, path.read_bytes())
            except OSError:
                continue
            if any(d.name.split(".")[-1] in words for d in defs):
                found.append(relpath)
        return found[:8]

    def _converse(self, instruction: str, files: dict[str, SourceFile]) -> list[Change]:
        context = Context.of(files)
        symbols = context.symbols
        edit_format = self.settings.edit_format
        header_rules = header_grammar(symbols, context.containers, FORMATS[edit_format])
        shown = [
            {"path": p, "language": _fence(p), "text": s.text, "symbols": symbols[p]} for p, s in files.items()
        ]
        budget = min(self.settings.max_tokens, _token_budget(files))
        mode = self.settings.grammar
        constrained = mode == "always"
        failures: list[_Failure] = []
        last_error = "no answer"
        for attempt in range(1, self.settings.max_attempts + 1):
            prompt = edit_prompt(edit_format, shown, instruction.strip(), failures)
            # a retry that decodes greedily again tends to repeat the same mistake
            temperature = self.settings.temperature if not failures else max(self.settings.temperature, RETRY_TEMPERATURE)
            self.report.attempts = attempt
            try:
                if constrained:
                    answer = self._ask_constrained(attempt, prompt, header_rules, budget, temperature)
                else:
                    answer = self._ask(attempt, "answer", prompt, None, FREE_STOPS, budget, temperature)
            except ReplayExhausted:
                break
            call = self.run_record.calls[-1]
            try:
                if call.finish == "loop":
                    raise EnvelopeError("the answer repeated the same lines over and over; write each definition once")
                edits = parse_envelope(answer)
                call.edits = [asdict(e) for e in edits]
                self._check_paths(edits)
                _check_format(edits, edit_format)
                check_addresses(edits, symbols)
                new_files = {e.path: new_source(self.workspace.absolute(e.path), e.path) for e in edits if e.op == "create"}
                return apply_edits(edits, files, new_files)
            except EnvelopeError as exc:
                last_error = call.error = str(exc)
                if mode == "lazy" and not constrained:
                    constrained = True  # the grammar's verdict, taken lazily: decode the edit line under it
                    continue
                failures.append(_Failure(_shown(answer, call.finish), str(exc)))
            except ApplyError as exc:
                last_error = call.error = str(exc)
                failures.append(_Failure(_shown(answer, call.finish), str(exc)))
            except Refused as exc:
                call.error = f"refused: {exc.message}"
                raise Refused(f"the model's answer was refused: {exc.message}; nothing was written") from None
        raise Rejected(f"the model's answers were rejected after {self.report.attempts} attempt(s): {last_error}")

    def _ask_constrained(self, attempt: int, prompt: str, header_rules: str, budget: int, temperature: float) -> str:
        """The edit line under the grammar, then each of its code blocks decoded freely up to its fence."""
        header = self._ask(attempt, "header", prompt, header_rules, ["\n"], HEADER_TOKENS, temperature).strip()
        match = HEADER.fullmatch(header)
        if not match:  # only when the header ran out of tokens
            return header
        answer = header + "\n"
        opening = f"{FENCE}{_fence(match.group(2))}\n"
        for _ in range(BLOCKS.get(match.group(1), 1)):
            answer += opening
            body = self._ask(attempt, "body", prompt + answer, None, BODY_STOPS, budget, temperature)
            if self.run_record.calls[-1].finish not in ("stop", "eog"):
                return answer + body  # cut short: the parser says what is missing
            answer += body.rstrip("\n") + ("\n" if body.strip() else "") + FENCE + "\n"
        return answer + DONE

    def _check_paths(self, edits: list[Edit]) -> None:
        for edit in edits:
            self.workspace.checked(edit.path)

    def _ask(
        self, attempt: int, kind: str, prompt: str, grammar: str | None, stop: list[str], max_tokens: int,
        temperature: float,
    ) -> str:
        label = {"answer": "Asking", "header": "Choosing the edit", "body": "Writing the edit"}[kind]
        self.progress.phase(f"{label} ({self.backend.model_name}, attempt {attempt})")
        call = Call(
            number=len(self.run_record.calls) + 1, attempt=attempt, kind=kind, temperature=temperature,
            prompt=prompt, grammar=grammar, output="",
        )
        self.run_record.calls.append(call)
        generation = self.backend.generate(
            prompt, grammar=grammar, stop=stop, max_tokens=max_tokens, temperature=temperature
        )
        pieces: list[str] = []
        try:
            for piece in generation:
                pieces.append(piece)
                self.progress.tokens(generation.usage.completion_tokens)
                if _looping("".join(pieces[-64:])):
                    generation.usage.finish = "loop"
                    break
        finally:
            close = getattr(generation.pieces, "close", None)
            if close:
                close()
            call.output = "".join(pieces)
            usage = generation.usage
            call.finish = usage.finish
            call.prompt_tokens, call.completion_tokens = usage.prompt_tokens, usage.completion_tokens
            call.prompt_eval_s, call.generate_s = usage.prompt_eval_s, usage.generate_s
            self.report.usage.add(usage)
        return call.output

    def _write(self, changes: list[Change]) -> None:
        for change in changes:
            if not unchanged_on_disk(change.source):
                raise Refused(f"{change.relpath} changed on disk while the model worked; nothing was written")
        done: list[Change] = []
        try:
            for change in changes:
                write_atomic(change.source, change.new_text)
                done.append(change)
        except OSError as exc:
            for change in done:
                if change.source.exists:
                    write_atomic(change.source, change.source.text)
                else:
                    change.source.path.unlink(missing_ok=True)
            raise VibeError(f"cannot write {change.relpath}: {exc.strerror}; no file was changed") from None
