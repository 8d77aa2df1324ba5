"""Asking the model for an edit: the prompt, free or grammar-constrained decoding, and retries
that show the model why its last answer was rejected.

ask -> judge (`judge.py`: parse, check, apply in memory) -> (retry with the error), over plain
data. Nothing here writes a file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from vibecli.backends.replay import ReplayExhausted
from vibecli.context.repomap import MapText
from vibecli.core import SECTION_STOPS, Backend, Candidate, Rejected, Usage, VibeError
from vibecli.edits import languages
from vibecli.edits.apply import Context
from vibecli.edits.envelope import BLOCKS, DONE, FENCE, HEADER
from vibecli.edits.fileio import SourceFile
from vibecli.edits.grammar import FORMATS, header_grammar
from vibecli.judge import Judge
from vibecli.run_record import Call, RunRecord
from vibecli.prompts import ANSWER_STOPS, edit_prompt
from vibecli.selection import Survivor, ordered
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
        # a backend that would ignore a grammar is not sent one: its edit line is decoded freely,
        # then checked by the parser as any answer is
        header_rules = None
        if self.backend.takes_grammar:
            header_rules = header_grammar(symbols, context.containers, FORMATS[edit_format])
        shown = shown_files(files, symbols)
        budget = min(self.settings.max_tokens, _token_budget(files))
        repo_map = self._repo_map(edit_format, shown, instruction.strip(), list(files), budget)
        mode = self.settings.grammar
        constrained = mode == "always"
        judge = Judge(self.workspace, self.settings, self.run_record, instruction, files, symbols)
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
                constrained = True  # the grammar's verdict, taken lazily: decode the edit line on its own, under it
                continue
            failures.append(Failure(shown_answer, error))
        raise Rejected(f"the model's answers were rejected after {self.attempts} attempt(s): {last_error}")

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

    def _ask_constrained(self, attempt: int, prompt: str, header_rules: str | None, budget: int,
                         temperature: float) -> str:
        """The edit line (under the grammar, where the backend takes one), then each of its code
        blocks decoded freely up to its fence."""
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
