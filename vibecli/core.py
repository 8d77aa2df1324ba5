"""The small shared vocabulary of vibecli. Imports nothing of ours."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

SCHEMA_VERSION = 1
"""Of the --json report; raised when a key changes meaning or goes away (new keys do not raise it)."""

# Exit codes, documented in the README and in `vibecli --help`.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_CHECKS = 4
EXIT_REFUSED = 5

GIT_ENV = {"GIT_LITERAL_PATHSPECS": "1"}
"""Set on every git command vibecli runs (GitPython's and its own subprocesses): a path is a path,
never a pattern (`*.py`, `[id].tsx`, `:(top)x` would otherwise match other files, the user's among them)."""


class VibeError(Exception):
    """An expected failure: one clear line for the user and an exit code."""

    exit_code = EXIT_ERROR
    status = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    @staticmethod
    def from_report(report: "Report") -> "VibeError":
        error = VibeError(report.message)
        error.exit_code, error.status = report.exit_code, report.status
        return error


class Terminated(SystemExit):
    """SIGTERM, raised where the program is, so that cleanup runs as for Ctrl-C.

    A SystemExit because a signal can land inside an asyncio callback (prompt_toolkit's prompt runs one),
    and asyncio lets only SystemExit and KeyboardInterrupt out of a callback: any other exception is
    logged there and swallowed, and prompt_toolkit then waits for Enter on a terminal nobody reads.
    Its code is 143 (128 + SIGTERM), so that even one that escapes every handler never exits 0."""

    def __init__(self, code: int = 143):
        super().__init__(code)


class UsageError(VibeError):
    exit_code = EXIT_USAGE


class Refused(VibeError):
    """Refused for safety: dirty file, a path that leaves the repository, ..."""

    exit_code = EXIT_REFUSED
    status = "refused"


class Rejected(VibeError):
    """The model's answers were rejected after every allowed attempt."""

    exit_code = EXIT_REJECTED
    status = "rejected"


class NoChange(VibeError):
    """The model's answers left the code as it was after every allowed attempt: the request was
    not carried out (the same exit as a rejection; the earlier attempts were rejected for it)."""

    exit_code = EXIT_REJECTED
    status = "no_change"


class ChecksFailed(VibeError):
    """The edit applied, but the project's checks still fail after every round."""

    exit_code = EXIT_CHECKS
    status = "checks_failed"


class EnvelopeError(Exception):
    """A model answer that is not a well-formed envelope (fed back to the model)."""


class ApplyError(Exception):
    """A well-formed answer that cannot be applied or breaks the syntax (fed back to the model)."""


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


class Backend(Protocol):
    """What vibecli needs of a model."""

    name: str
    model_name: str
    model_sha256: str

    def generate(
        self,
        prompt: str | list[Message],
        *,
        grammar: str | None = None,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float | None = None,
    ) -> Generation:
        """Stream text for a prompt, optionally under a GBNF grammar; fills `usage` as it goes.

        `temperature` None means the backend's configured one."""
        ...


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
        }
