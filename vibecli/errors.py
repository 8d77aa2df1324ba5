"""vibecli's exit codes and the errors that carry them. Imports nothing: the start-up paths that only
need to fail cleanly (`vibecli fix` with nothing to fix, settings, checks) read these without
loading vibecli.core's dataclasses (~9 ms of a ~100 ms pre-commit hook); vibecli.core re-exports them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vibecli.core import Report

# Exit codes, documented in the README and in `vibecli --help`.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_CHECKS = 4
EXIT_REFUSED = 5


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
