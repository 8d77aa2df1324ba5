"""Stop strings on a stream of token bytes: the one place that decides what text goes out.

A token's bytes may end mid-character, and a stop string may span several tokens, so text is
held back while it is incomplete UTF-8 or could still become the start of a stop string. The
single stream of the llama backend and each candidate of a batch (`candidates`) run through
the same `StopScanner`, so that a candidate ends exactly where a plain answer would.
"""

from __future__ import annotations


class StopScanner:
    """Feed the bytes of each token; get back the text that can be emitted now."""

    def __init__(self, stop: list[str]):
        self.stop = stop
        self.stopped = False
        """A stop string was found: nothing more comes out (the stop string itself never does)."""
        self._longest = max((len(s) for s in stop), default=0)
        self._pending = b""  # bytes not yet emitted: incomplete UTF-8 or a possible start of a stop string
        self._tail = ""  # the end of what was emitted, as long as the longest stop string

    def feed(self, data: bytes) -> str:
        """The text to emit after these bytes ('' while everything is held back)."""
        self._pending += data
        try:
            piece = self._pending.decode("utf-8")
        except UnicodeDecodeError:
            return ""
        window = self._tail + piece
        hit = min((i for i in (window.find(s) for s in self.stop) if i >= 0), default=-1)
        if hit >= 0:
            self._pending = b""
            self.stopped = True
            return piece[: hit - len(self._tail)] if hit > len(self._tail) else ""
        keep = partial_stop(piece, self.stop)
        out = piece[: len(piece) - keep]
        if out and self._longest:
            self._tail = (self._tail + out)[-self._longest :]
        self._pending = piece[len(piece) - keep :].encode("utf-8")
        return out

    def flush(self) -> str:
        """What is still held back, at the end of the stream (broken UTF-8 replaced)."""
        text = self._pending.decode("utf-8", errors="replace")
        self._pending = b""
        return text


def partial_stop(text: str, stop: list[str]) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of a stop string."""
    best = 0
    for s in stop:
        for n in range(min(len(s) - 1, len(text)), best, -1):
            if s.startswith(text[-n:]):
                best = n
                break
    return best
