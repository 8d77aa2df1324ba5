"""The small shared vocabulary of vibecli. Imports nothing of ours but vibecli.errors, whose names
(the exit codes and the errors) are part of this vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from vibecli.errors import (  # noqa: F401  (the vocabulary: imported from here across vibecli)
    EXIT_CHECKS,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_REJECTED,
    EXIT_USAGE,
    ApplyError,
    ChecksFailed,
    EnvelopeError,
    NoChange,
    Refused,
    Rejected,
    Terminated,
    UsageError,
    VibeError,
)

SCHEMA_VERSION = 1
"""Of the --json report; raised when a key changes meaning or goes away (new keys do not raise it)."""

GIT_ENV = {"GIT_LITERAL_PATHSPECS": "1"}
"""Set on every git command vibecli runs (GitPython's and its own subprocesses): a path is a path,
never a pattern (`*.py`, `[id].tsx`, `:(top)x` would otherwise match other files, the user's among them)."""


SECTION_MARKERS = ("=== ", "### ")
"""What starts a part of vibecli's plain-text prompts, at the start of a line: `=== ` a section
(an example, the task), `### ` a heading within one (a file, the request, the answer, a chat
role). The templates in prompts/ write them (a test holds the two together), and a model that
writes one at the start of a line has left its answer: the stop strings are derived from them."""
SECTION_STOPS = tuple("\n" + marker for marker in SECTION_MARKERS)


@dataclass(frozen=True)
class Message:
    role: str
    content: str


@dataclass(frozen=True)
class Edit:
    """One operation of an answer (see `vibecli.edits.envelope` for the list)."""

    op: str
    path: str
    body: str
    symbol: str | None = None
    search: str | None = None
    """For `search`: the exact text to find; `body` is what replaces it."""


@dataclass
class Usage:
    """Token counts and timings of one model call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    load_s: float = 0.0
    prompt_eval_s: float = 0.0
    generate_s: float = 0.0
    finish: str = ""
    """Why generation ended: `stop` (a stop string), `eog` (the model ended), `length`, `cancelled`."""

    def add(self, other: "Usage") -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.load_s += other.load_s
        self.prompt_eval_s += other.prompt_eval_s
        self.generate_s += other.generate_s


@dataclass
class Generation:
    """A streaming model answer: iterate for text pieces, then read `usage`."""

    pieces: Iterator[str]
    usage: Usage = field(default_factory=Usage)

    def __iter__(self) -> Iterator[str]:
        return self.pieces

    def close(self) -> None:
        """Stop the stream early (a generator's `finally` runs: a server learns to stop sending)."""
        close = getattr(self.pieces, "close", None)  # a plain iterator has nothing to close
        if close is not None:
            close()


CANDIDATE_TEMPERATURE = 0.6
"""The temperature of the sampled candidates (all but the first, which is greedy): chosen by
measurement, `benchmarks/candidates.py --sampling`."""
CANDIDATE_TOP_P = 0.95
"""Their nucleus: the smallest set of likeliest tokens that holds this much of the probability."""


@dataclass
class Candidate:
    """One of several answers to the same prompt (`Backend.generate_many`)."""

    text: str = ""
    finish: str = ""
    """As `Usage.finish`, for this answer alone (plus `loop`: ended by the caller's loop check); '' while it runs."""
    tokens: int = 0
    """Completion tokens of this answer."""
    logprob: float | None = None
    """Mean log-probability of its tokens under the model at temperature 1 (for ties between
    answers); None where the backend does not report it."""
    temperature: float = 0.0
    seed: int | None = None
    """Of a sampled answer; None for the greedy one."""


@dataclass
class Candidates:
    """What `generate_many` returns: the answers in the order asked (the first is greedy) and the
    usage of the whole call (the prompt counted once, the completion tokens of every answer)."""

    candidates: list[Candidate]
    usage: Usage = field(default_factory=Usage)


def candidate_seeds(seed: int, n: int, seeds: list[int] | None = None) -> list[int]:
    """The seeds of the n - 1 sampled candidates: `seeds` when given, else seed + 1, seed + 2, ..."""
    if seeds is None:
        return [seed + i for i in range(1, n)]
    if len(seeds) != n - 1 or len(set(seeds)) != len(seeds):
        raise ValueError(f"{n} candidates take {n - 1} distinct seeds, not {seeds!r}")
    return list(seeds)


def estimate_tokens(text: str) -> int:
    """Without the model's tokenizer: two bytes a token, an overestimate for code (3-4 measured),
    so a budget kept with it is never exceeded by the real count."""
    return -(-len(text.encode("utf-8")) // 2)


class Backend:
    """What vibecli needs of a model, and what each backend can do.

    A backend subclasses this, implements `generate`, and declares what it does better than the
    defaults below; callers read the declarations and never probe for what a backend lacks."""

    name: str = ""
    """The backend's registered name (`vibecli.backends.registry`): `llama`, `openai`, `replay`, ..."""
    model_name: str = ""
    model_sha256: str = ""
    """Of the model file; '' where the backend cannot know it (a model behind a server)."""
    model_location: str = ""
    """Where the model lives, for people (/model, reports): a file's path, a server's URL."""
    adapter: Path | None = None
    """The LoRA adapter applied over the model; None where none is (or the backend cannot apply one)."""

    seed: int = 0
    """Of sampling; the sampled candidates of `generate_many` take seed + 1, seed + 2, ... by default."""
    max_candidates: int = 1
    """How many answers `generate_many` produces in one pass (one evaluation of the prompt whose
    state the answers share, or requests served together); 1: it makes one call per answer."""
    context_length: int | None = None
    """Tokens the model's context holds (prompt and answer together); None: unknown."""
    takes_prefill: bool = False
    """`generate(prompt, prefill=...)` keeps the answer's decided start apart from the prompt (a chat
    template wraps the prompt, not the prefill). False: the caller appends the prefill to the prompt."""
    takes_grammar: bool = False
    """`generate(grammar=...)` constrains the answer to the GBNF grammar. False: the grammar is
    ignored, and the answer is parsed and checked as any free one."""

    def count_tokens(self, text: str) -> int:
        """Tokens of a text in the model's vocabulary; by default the estimate, which never undercounts code."""
        return estimate_tokens(text)

    def generate(
        self,
        prompt: str | list[Message],
        *,
        grammar: str | None = None,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Generation:
        """Stream text for a prompt, optionally under a GBNF grammar; fills `usage` as it goes.

        `temperature` and `seed` None mean the backend's configured ones."""
        raise NotImplementedError

    def generate_many(
        self,
        prompt: str | list[Message],
        n: int,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float = CANDIDATE_TEMPERATURE,
        top_p: float = CANDIDATE_TOP_P,
        seeds: list[int] | None = None,
        grammar: str | None = None,
        on_progress: Callable[[list[Candidate]], bool | None] | None = None,
        looping: Callable[[str], bool] | None = None,
    ) -> Candidates:
        """n answers: the first greedy (the answer `generate` gives at temperature 0), the others
        sampled at `temperature` within `top_p`, each with its own seed (`candidate_seeds`).

        `on_progress(candidates)` is called as they grow; a true return ends those still running
        (finish `cancelled`). `looping(text)`, given an answer's recent text, ends it with finish
        `loop` when it returns True. This default makes one `generate` call per answer, one after
        another, and `top_p` is left to the backend's own sampling."""
        return one_call_each(self, prompt, n, stop=stop, max_tokens=max_tokens, temperature=temperature,
                             seeds=seeds, grammar=grammar, on_progress=on_progress, looping=looping)


def one_call_each(backend: Backend, prompt: str | list[Message], n: int, *, stop: list[str] | None,
                  max_tokens: int, temperature: float, seeds: list[int] | None, grammar: str | None,
                  on_progress: Callable[[list[Candidate]], bool | None] | None,
                  looping: Callable[[str], bool] | None, **extra) -> Candidates:
    """The generic `generate_many`: one `generate` call per answer (`extra` goes to each call)."""
    if n < 1:
        raise ValueError("generate_many needs n >= 1")
    sampled = candidate_seeds(backend.seed, n, seeds)
    result = Candidates([Candidate()] + [Candidate(temperature=temperature, seed=s) for s in sampled])
    stopped = False
    for candidate in result.candidates:
        if stopped:
            candidate.finish = "cancelled"
            continue
        generation = backend.generate(prompt, grammar=grammar, stop=stop, max_tokens=max_tokens,
                                      temperature=candidate.temperature, seed=candidate.seed, **extra)
        pieces: list[str] = []
        try:
            for piece in generation:
                pieces.append(piece)
                candidate.tokens = generation.usage.completion_tokens
                if looping is not None and looping("".join(pieces[-64:])):
                    generation.usage.finish = "loop"
                    break
                if on_progress is not None and on_progress(result.candidates):
                    stopped = True
                    generation.usage.finish = "cancelled"
                    break
        finally:
            generation.close()
        candidate.text, candidate.finish = "".join(pieces), generation.usage.finish
        candidate.tokens = generation.usage.completion_tokens
        result.usage.add(generation.usage)  # every call evaluates the prompt again: all of it counts
    result.usage.finish = result.candidates[0].finish
    if on_progress is not None:
        on_progress(result.candidates)
    return result


@dataclass
class Report:
    """What one run did; printed as JSON with --json and stored in the logbook."""

    run_id: str
    status: str = "error"
    files: list[str] = field(default_factory=list)
    commit: str | None = None
    model: str = ""
    backend: str = ""
    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    total_s: float = 0.0
    diff: str = ""
    message: str = ""
    exit_code: int = EXIT_OK
    rounds: int = 0
    checks: list[dict] = field(default_factory=list)
    kept: bool = False
    """A failing attempt was left in the work tree (--keep-failed)."""
    context: dict = field(default_factory=dict)
    """How the prompt was filled: files chosen for the instruction, the repo map, what was left out."""
    escalated_from: dict | None = None
    """Under `route: auto`, the local attempt this run took over from (run id, backend, status, seconds)."""
    candidates: dict | None = None
    """With several candidates an attempt: how many were asked, valid, distinct, checked and passed, the
    winner and why, and each one's verdict and diff; None with one answer an attempt."""
    fixer: dict | None = None
    """The fixer whose change the run tried before the model: `{name, args}`, and `fell_back: true`
    when it failed the checks and the model's answer took its place."""

    def to_json(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "status": self.status,
            "files": self.files,
            "commit": self.commit,
            "model": self.model,
            "backend": self.backend,
            "run_id": self.run_id,
            "attempts": self.attempts,
            "tokens": {
                "prompt": self.usage.prompt_tokens,
                "completion": self.usage.completion_tokens,
            },
            "timings": {
                "load_s": round(self.usage.load_s, 3),
                "prompt_eval_s": round(self.usage.prompt_eval_s, 3),
                "generate_s": round(self.usage.generate_s, 3),
                "total_s": round(self.total_s, 3),
            },
            "diff": self.diff,
            "rounds": self.rounds,
            "checks": self.checks,
            "context": self.context,
            "message": self.message,
            "exit_code": self.exit_code,
            "escalated_from": self.escalated_from,
            "candidates": self.candidates,
            "fixer": self.fixer,
        }
