"""What a run records as it goes: its model calls and the candidates of its attempts, in memory.

The agent, the conversation and the judge fill a `RunRecord`; the logbook (`logbook.py`) stores
it when the run ends. Nothing here touches the disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Call:
    """One model call: what it was shown, what it said, and what became of its answer.

    `kind` is `answer` (a whole free answer), `header` (the grammar-constrained edit line)
    or `body` (the code after it); `attempt` groups the calls of one answer."""

    number: int
    attempt: int
    kind: str
    temperature: float
    prompt: str
    grammar: str | None
    output: str
    edits: list[dict] | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_eval_s: float = 0.0
    generate_s: float = 0.0
    finish: str = ""


@dataclass
class CandidateRow:
    """One of the answers of an attempt that asked for several, and what became of it.

    `verdict`: `invalid` (rejected like a single answer: envelope, paths, syntax, structure),
    `refused` (a path vibecli never writes), `passed` / `failed` (the checks, run on it alone),
    `chosen` (written), `valid` (valid, not chosen, not checked)."""

    attempt: int
    index: int
    seed: int | None
    temperature: float
    logprob: float | None
    finish: str
    output: str
    edits: list[dict] | None = None
    verdict: str = "valid"
    reason: str = ""
    diff: str = ""

    def to_json(self) -> dict:
        return {"attempt": self.attempt, "index": self.index, "seed": self.seed, "temperature": self.temperature,
                "logprob": None if self.logprob is None else round(self.logprob, 4), "verdict": self.verdict,
                "reason": self.reason, "diff": self.diff}


@dataclass
class RunRecord:
    id: str
    command: str
    instruction: str
    paths: list[str]
    repo_root: str | None
    started_at: float = field(default_factory=time.time)
    model: str = ""
    model_sha256: str = ""
    backend: str = ""
    settings: dict = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    escalated_from: str | None = None
    candidates: list[CandidateRow] = field(default_factory=list)
