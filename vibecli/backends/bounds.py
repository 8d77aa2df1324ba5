"""What every backend enforces by itself, whatever a server or a script does: an answer of at most
`max_tokens` tokens, and a call of at most `call_timeout` seconds."""

from __future__ import annotations

import time

from vibecli.core import VibeError

MAX_TOKEN_CHARS = 32
"""More characters than any one token of a real vocabulary holds (the longest are runs of spaces):
an answer longer than max_tokens times this came from a server that does not count as asked."""
DEFAULT_CALL_TIMEOUT = 600.0


class CallTimeout(VibeError):
    """One model call ran past call_timeout (exit 1): a server that streams forever, or a stalled one."""


class Bound:
    """Counts one answer as it arrives; says where it must stop."""

    def __init__(self, max_tokens: int, seconds: float | None, what: str = "the model"):
        self.max_tokens = max_tokens
        self.max_chars = max_tokens * MAX_TOKEN_CHARS
        self.seconds = seconds
        self.what = what
        self.started = time.monotonic()
        self.tokens = 0
        self.chars = 0

    def remaining(self) -> float:
        """Seconds left to this call (infinite without a limit)."""
        if self.seconds is None:
            return float("inf")
        return self.started + self.seconds - time.monotonic()

    def check_time(self) -> None:
        if self.remaining() <= 0:
            raise self.timeout()

    def timeout(self) -> CallTimeout:
        return CallTimeout(f"{self.what} was still answering after {self.seconds:g} s (call_timeout); "
                           "stopped reading, nothing was written")

    def take(self, piece: str, tokens: int = 1) -> tuple[str, bool]:
        """The part of `piece` within the bound, and whether the answer must end with it."""
        self.check_time()
        room = self.max_chars - self.chars
        if len(piece) > room:
            piece = piece[:room]
        self.chars += len(piece)
        self.tokens += tokens
        return piece, self.tokens >= self.max_tokens or self.chars >= self.max_chars
