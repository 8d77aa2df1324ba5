"""Asking the model for an edit and judging its answer: prompt, decode, parse, check, apply in memory.

ask -> parse -> check -> (retry with the error), over plain data. Nothing here writes a file.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from collections.abc import Callable
from typing import Protocol

from vibecli.backends.replay import ReplayExhausted
from vibecli.context.repomap import MapText
from vibecli.core import (
    SECTION_STOPS, ApplyError, Backend, Candidate, Edit, EnvelopeError, Refused, Rejected, Usage, VibeError,
)
from vibecli.edits import languages
from vibecli.edits.apply import Change, Context, apply_edits, check_addresses
from vibecli.edits.diff import unified_diff
from vibecli.edits.envelope import BLOCKS, DONE, FENCE, HEADER, parse_envelope
from vibecli.edits.fileio import SourceFile, new_source
from vibecli.edits.grammar import FORMATS, header_grammar
from vibecli.edits.structure import structural_problem
from vibecli.logbook import Call, CandidateRow, RunRecord
from vibecli.prompts import ANSWER_STOPS, edit_prompt
from vibecli.selection import Survivor, merge, ordered
from vibecli.settings import Settings
from vibecli.workspace import Workspace

FREE_STOPS = list(ANSWER_STOPS)
MAP_MARGIN = 64
"""Tokens kept free between the prompt's parts, for the template's own lines around the map."""


class RepoMapSource(Protocol):
    def render(self, focus: list[str], instruction: str, budget: int, count: Callable[[str], int]) -> MapText: ...
# the code ends at its closing fence, or where the model starts a new section of the prompt
BODY_STOPS = ["\n" + FENCE, *SECTION_STOPS, "\n@@ "]
RETRY_TEMPERATURE = 0.5
NO_CHANGE = "the answer repeats the code unchanged, but the request asks for a change; write the changed code"
HEADER_TOKENS = 48


def _token_budget(files: dict[str, SourceFile]) -> int:
    """Enough tokens to rewrite every file in context once, with room to grow; code is ~3 bytes a token."""
    size = sum(len(s.text.encode("utf-8")) for s in files.values())
    return int(size / 3 * 1.5) + 128


def _fence(path: str) -> str:
    spec = languages.language_for(path)
    return spec.fence if spec else ""


SMALL_FILE_LINES = 60
"""`auto` asks for whole files when every file in context is at most this long. Measured on
EditEval (files of 8 lines typically, 35 at most) whole files passed 4 of 191 against 1 for
symbol-anchored edits, and took less time; on a 300-line file an anchored answer needs 24x
fewer output tokens than a whole one (benchmarks/token_ratio.py)."""


def shown_files(files: dict[str, SourceFile], symbols: dict[str, list[str]]) -> list[dict]:
    """The files as the edit prompt shows them (training data renders its prompts with this too)."""
    return [{"path": p, "language": _fence(p), "text": s.text, "symbols": symbols[p]} for p, s in files.items()]


def resolve_format(edit_format: str, files: dict[str, SourceFile]) -> str:
    if edit_format != "auto":
        return edit_format
    small = all(s.text.count("\n") <= SMALL_FILE_LINES for s in files.values())
    return "whole" if small else "symbol"


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


def _looping(tail: str) -> bool:
    """A small model stuck repeating itself: the last six full lines hold at most two distinct lines."""
    lines = tail.split("\n")[:-1][-6:]
    return len(lines) == 6 and all(line.strip() for line in lines) and len(set(lines)) <= 2


class Progress(Protocol):
    def phase(self, text: str) -> None: ...

    def tokens(self, count: int) -> None: ...

    def event(self, event: str, **data) -> None:
        """A machine-readable step of the run (`--json-lines`)."""
        ...


class NoProgress:
    def phase(self, text: str) -> None:
        pass

    def tokens(self, count: int) -> None:
        pass

    def event(self, event: str, **data) -> None:
        pass


class ModelTimeout(VibeError):
    """The model ran past --timeout."""


@dataclass
class Failure:
    """A rejected answer (or an edit whose checks failed) and why: shown to the model next time."""

    answer: str
    error: str


class Conversation:
    def __init__(self, backend: Backend, workspace: Workspace, settings: Settings, run: RunRecord, progress: Progress,
                 context: RepoMapSource | None = None):
        self.backend = backend
        self.context = context
        self.context_report: dict = {}
        """How the prompt's room was spent: its tokens, the model's context, the map and what it left out."""
        self.workspace = workspace
        self.settings = settings
        self.run_record = run
        self.progress = progress
        self.attempts = 0
        self.usage = Usage()
        self.deadline = time.monotonic() + settings.timeout if settings.timeout else None
        self.last_answer = ""
        """The accepted answer as a retry prompt would quote it."""

    def propose(self, instruction: str, files: dict[str, SourceFile], failures: list[Failure]) -> list[Survivor]:
        """The distinct valid results the model proposes at one attempt (one, unless `candidates` > 1),
        each checked as a single answer is; raises Rejected when every attempt failed."""
        context = Context.of(files)
        symbols = context.symbols
        edit_format = resolve_format(self.settings.edit_format, files)
        header_rules = header_grammar(symbols, context.containers, FORMATS[edit_format])
        shown = shown_files(files, symbols)
        budget = min(self.settings.max_tokens, _token_budget(files))
        repo_map = self._repo_map(edit_format, shown, instruction.strip(), list(files), budget)
        mode = self.settings.grammar
        constrained = mode == "always"
        judge = _Judge(self, instruction, files, symbols)
        last_error = "no answer"
        for remaining in reversed(range(self.settings.max_attempts)):
            self.attempts += 1
            attempt = self.attempts
            prompt = edit_prompt(edit_format, shown, instruction.strip(), failures, repo_map)
            # a retry that decodes greedily again tends to repeat the same mistake
            temperature = self.settings.temperature if not failures else max(self.settings.temperature, RETRY_TEMPERATURE)
            many = self.settings.candidates > 1 and not constrained
            try:
                if many:
                    answers = self._ask_many(attempt, prompt, FREE_STOPS, budget, self.settings.candidates)
                elif constrained:
                    answers = [(self._ask_constrained(attempt, prompt, header_rules, budget, temperature), None)]
                else:
                    answers = [(self._ask(attempt, "answer", prompt, None, FREE_STOPS, budget, temperature), None)]
            except ReplayExhausted:
                break
            call = self.run_record.calls[-1]
            self.progress.event("attempt", attempt=attempt, constrained=constrained)
            survivors, errors = judge.all(attempt, call, answers, final=not remaining, many=many)
            if survivors:
                first = ordered(survivors)[0]
                call.edits, call.error, call.output = first.rows[0].edits, None, first.rows[0].output
                self.last_answer = first.answer
                return survivors
            shown_answer, error, kind = errors[0]
            last_error = call.error = error
            if kind == "envelope" and mode == "lazy" and not constrained and all(k == "envelope" for _, _, k in errors):
                constrained = True  # the grammar's verdict, taken lazily: decode the edit line under it
                continue
            failures.append(Failure(shown_answer, error))
        raise Rejected(f"the model's answers were rejected after {self.attempts} attempt(s): {last_error}")

    def validate(self, instruction: str, edits: list[Edit], files: dict[str, SourceFile],
                 symbols: dict[str, list[str]], final: bool) -> list[Change]:
        """The changes an answer's edits make, checked as every answer's are; raises
        EnvelopeError, ApplyError (fed back to the model) or Refused."""
        self._check_paths(edits)
        _check_format(edits, self.settings.edit_format)
        check_addresses(edits, symbols)
        new_files = {e.path: new_source(self.workspace.absolute(e.path), e.path) for e in edits if e.op == "create"}
        changes = apply_edits(edits, files, new_files)
        if any("\0" in c.new_text for c in changes):
            raise ApplyError("the code holds a NUL character; write text only")
        _check_sizes(changes, self.settings.max_file_bytes)
        for change in changes:
            if change.source.exists:
                problem = structural_problem(instruction, change.relpath, change.source.text, change.new_text)
                if problem:
                    raise ApplyError(problem)
        if not final and all(c.source.exists and c.new_text == c.source.text for c in changes):
            # a small model often copies the code it was shown; an unchanged answer to a
            # request for a change is a miss while attempts remain (after the last, the
            # edit ends as no_change: the request was not carried out)
            raise ApplyError(NO_CHANGE)
        return changes

    def settle(self, survivor: Survivor) -> None:
        """The chosen survivor is what its call is recorded as having answered (training data)."""
        row = survivor.rows[0]
        for call in reversed(self.run_record.calls):
            if call.attempt == row.attempt:
                call.output, call.edits, call.error = row.output, row.edits, None
                break
        self.last_answer = survivor.answer

    def _repo_map(self, edit_format: str, shown: list[dict], instruction: str, focus: list[str], answer: int) -> str:
        """The repo map, cut to fit both `map_tokens` and what the model's context has left after
        the instructions, the files, the answer and one retry's worth of room."""
        if self.context is None or self.settings.map_tokens <= 0:
            return ""
        count = self.backend.count_tokens
        base = count(edit_prompt(edit_format, shown, instruction, []))
        limit = self.backend.context_length
        room = self.settings.map_tokens
        if limit:
            room = min(room, limit - base - 2 * answer - MAP_MARGIN)
        self.context_report = {"prompt_tokens": base, "context": limit, "answer_tokens": answer}
        if room <= 0:
            self.context_report["map"] = {"tokens": 0, "budget": 0, "left_out": "no room left in the context"}
            return ""
        self.progress.phase("Mapping the repository")
        found = self.context.render(focus, instruction, room, count)
        self.context_report["map"] = found.to_json()
        self.context_report["map"]["shown"] = found.files
        return found.text

    def _ask_many(self, attempt: int, prompt: str, stop: list[str], max_tokens: int,
                  n: int) -> list[tuple[str, Candidate]]:
        """n answers from one call: the first greedy, the others sampled with seeds of their own."""
        self.progress.phase(f"Asking for {n} answers ({self.backend.model_name}, attempt {attempt})")
        call = Call(number=len(self.run_record.calls) + 1, attempt=attempt, kind="answer", temperature=0.0,
                    prompt=prompt, grammar=None, output="")
        self.run_record.calls.append(call)
        seeds = [self.backend.seed + (attempt - 1) * n + i for i in range(1, n)]
        late = False

        def on_progress(candidates: list[Candidate]) -> bool:
            nonlocal late
            self.progress.tokens(sum(c.tokens for c in candidates))
            late = self.deadline is not None and time.monotonic() > self.deadline
            return late

        loaded = self.usage.load_s
        result = self.backend.generate_many(prompt, n, stop=stop, max_tokens=max_tokens, seeds=seeds,
                                            on_progress=on_progress, looping=_looping)
        usage = result.usage
        if usage.load_s and not loaded:
            self.progress.event("model_loaded", model=self.backend.model_name, load_s=round(usage.load_s, 3))
        call.output, call.finish = result.candidates[0].text, "timeout" if late else usage.finish
        call.prompt_tokens, call.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        call.prompt_eval_s, call.generate_s = usage.prompt_eval_s, usage.generate_s
        self.usage.add(usage)
        self.progress.event("call", attempt=attempt, kind="answers", finish=call.finish, candidates=n,
                            prompt_tokens=call.prompt_tokens, completion_tokens=call.completion_tokens)
        if late:
            raise ModelTimeout(f"the model ran past --timeout {self.settings.timeout} s; nothing was written")
        return [(c.text, c) for c in result.candidates]

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
            body = self._ask(attempt, "body", prompt, None, BODY_STOPS, budget, temperature, prefill=answer)
            if self.run_record.calls[-1].finish not in ("stop", "eog"):
                return answer + body  # cut short: the parser says what is missing
            answer += body.rstrip("\n") + ("\n" if body.strip() else "") + FENCE + "\n"
        return answer + DONE

    def _check_paths(self, edits: list[Edit]) -> None:
        for edit in edits:
            self.workspace.checked(edit.path)

    def _ask(
        self, attempt: int, kind: str, prompt: str, grammar: str | None, stop: list[str], max_tokens: int,
        temperature: float, prefill: str = "",
    ) -> str:
        """`prefill`: the start of the answer, already decided; the model continues it."""
        label = {"answer": "Asking", "header": "Choosing the edit", "body": "Writing the edit"}[kind]
        self.progress.phase(f"{label} ({self.backend.model_name}, attempt {attempt})")
        call = Call(
            number=len(self.run_record.calls) + 1, attempt=attempt, kind=kind, temperature=temperature,
            prompt=prompt + prefill, grammar=grammar, output="",
        )
        self.run_record.calls.append(call)
        # a backend that renders a chat template must know where the prompt ends and the answer begins
        extra = {"prefill": prefill} if prefill and self.backend.takes_prefill else {}
        generation = self.backend.generate(
            prompt if extra else prompt + prefill, grammar=grammar, stop=stop, max_tokens=max_tokens,
            temperature=temperature, **extra,
        )
        pieces: list[str] = []
        loaded = self.usage.load_s
        try:
            for piece in generation:
                pieces.append(piece)
                usage = generation.usage
                if usage.load_s and not loaded:
                    loaded = usage.load_s
                    self.progress.event("model_loaded", model=self.backend.model_name, load_s=round(loaded, 3))
                self.progress.tokens(usage.completion_tokens)
                if _looping("".join(pieces[-64:])):
                    usage.finish = "loop"
                    break
                if self.deadline is not None and time.monotonic() > self.deadline:
                    usage.finish = "timeout"
                    raise ModelTimeout(f"the model ran past --timeout {self.settings.timeout} s; nothing was written")
        finally:
            generation.close()
            call.output = "".join(pieces)
            usage = generation.usage
            call.finish = usage.finish
            call.prompt_tokens, call.completion_tokens = usage.prompt_tokens, usage.completion_tokens
            call.prompt_eval_s, call.generate_s = usage.prompt_eval_s, usage.generate_s
            self.usage.add(usage)
            self.progress.event("call", attempt=attempt, kind=kind, finish=call.finish,
                                prompt_tokens=call.prompt_tokens, completion_tokens=call.completion_tokens)
        return call.output



class _Judge:
    """Every answer of an attempt through the same checks; the valid ones as distinct survivors."""

    def __init__(self, conversation: Conversation, instruction: str, files: dict[str, SourceFile],
                 symbols: dict[str, list[str]]):
        self.conversation = conversation
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
                self.conversation.run_record.candidates.append(row)
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
        changes = self.conversation.validate(self.instruction, edits, self.files, self.symbols, final)
        changed = [c for c in changes if c.new_text != c.source.text or not c.source.exists]
        row.diff = "".join(unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in changed)
        return Survivor(changes, _shown(row.output, row.finish), [row])
