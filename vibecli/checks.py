"""Lint and test commands: run them, and turn what they print into problems a model can act on."""

from __future__ import annotations

import codecs
import io
import os
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vibecli.errors import VibeError

if TYPE_CHECKING:
    from vibecli.check_output import Problem

__all__ = ["CheckResult", "run_check"]


def __getattr__(name: str):
    # the parsers (many compiled patterns) load only when a check fails: a pre-commit hook's
    # passing check must cost about what the linter costs
    if name in ("Problem", "parse_problems"):
        from vibecli import check_output

        return getattr(check_output, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

MAX_FEEDBACK_CHARS = 3000
MAX_OUTPUT_CHARS = 4 << 20
"""Of a check's output, the first and the last half of this much is kept: a check that prints
without end (until check_timeout) must not fill the memory."""
LEFT_BEHIND_S = 2.0
"""How long the output of a check that has ended is read on, while something it started holds it open."""


@dataclass
class CheckResult:
    name: str
    command: str
    exit_code: int
    output: str
    seconds: float
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    def to_json(self, round_number: int) -> dict:
        return {
            "name": self.name, "command": self.command, "exit_code": self.exit_code, "passed": self.passed,
            "seconds": round(self.seconds, 3), "problems": [str(p) for p in self.problems][:50], "round": round_number,
        }

    def feedback(self, limit: int = MAX_FEEDBACK_CHARS) -> str:
        """What goes back to the model: parsed problems, or the raw output trimmed to fit."""
        if self.problems:
            text = "\n".join(str(p) for p in self.problems)
        else:
            text = self.output.strip()
        if len(text) > limit:
            head = text[: limit // 3]
            tail = text[-(limit - len(head)) :]
            text = f"{head}\n[... {len(text) - limit} characters left out ...]\n{tail}"
        return f"`{self.command}` failed (exit {self.exit_code}):\n{text}"


def run_check(name: str, command: str, cwd: Path, timeout: float = 600,
              stop: threading.Event | None = None) -> CheckResult:
    """Run one check through the shell, in its own process group so an interrupt stops all of it.
    `stop`: set by another thread (an interrupt there) to end it early, as if timed out."""
    from vibecli import interrupts

    started = time.perf_counter()
    proc = None
    try:
        with interrupts.deferred():  # a signal while it starts must find it started, to stop it
            proc = subprocess.Popen(
                command, shell=True, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
    except OSError as exc:
        raise VibeError(f"cannot run the {name} check `{command}`: {exc.strerror}") from None
    except BaseException:
        if proc is not None:  # a signal that came while it started is raised as that step ends
            _kill(proc)
        raise
    try:
        kept = _Kept(MAX_OUTPUT_CHARS)
        reader = threading.Thread(target=kept.read, args=(proc.stdout,), daemon=True)
        reader.start()
        _wait(proc, timeout, stop)
    except subprocess.TimeoutExpired:
        _kill(proc)
        reader.join(LEFT_BEHIND_S)
        output = f"(stopped after {timeout:.0f} s)"
        return CheckResult(name, command, 124, output, time.perf_counter() - started)
    except BaseException:
        _kill(proc)
        raise
    reader.join(LEFT_BEHIND_S)
    if reader.is_alive():  # a process the check left behind holds its output open: it ends with the check
        _kill(proc)
        reader.join(LEFT_BEHIND_S)
    result = CheckResult(name, command, proc.returncode, kept.text(), time.perf_counter() - started)
    if not result.passed:
        from vibecli.check_output import parse_problems

        result.problems = parse_problems(result.output, cwd)
    return result


def _wait(proc: subprocess.Popen, timeout: float, stop: threading.Event | None) -> None:
    if stop is None:
        proc.wait(timeout=timeout)
        return
    ends = time.monotonic() + timeout
    while True:
        try:
            proc.wait(timeout=max(min(0.1, ends - time.monotonic()), 0.001))
            return
        except subprocess.TimeoutExpired:
            if stop.is_set() or time.monotonic() >= ends:
                raise


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


class _Kept:
    """A check's output as it is read: its first half-limit characters, and its last."""

    def __init__(self, limit: int):
        self.half = limit // 2
        self.head: list[str] = []
        self.head_len = 0
        self.tail: deque[str] = deque()
        self.tail_len = 0
        self.dropped = 0
        self.lock = threading.Lock()  # a process the check left behind may still be writing

    def read(self, stream) -> None:
        """Whatever has arrived, as it arrives (a process the check left behind may hold the pipe open
        after the check ended: what came before must not wait for it), decoded as text mode would."""
        decoder = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder("utf-8")("replace"), translate=True)
        try:
            while chunk := os.read(stream.fileno(), 1 << 16):
                self.add(decoder.decode(chunk))
        except (OSError, ValueError):  # closed under us: the check was stopped
            pass
        self.add(decoder.decode(b"", final=True))

    def add(self, chunk: str) -> None:
        with self.lock:
            self._add(chunk)

    def _add(self, chunk: str) -> None:
        if self.head_len < self.half:
            first = chunk[: self.half - self.head_len]
            self.head.append(first)
            self.head_len += len(first)
            chunk = chunk[len(first):]
        if chunk:
            self.tail.append(chunk)
            self.tail_len += len(chunk)
            while self.tail_len - len(self.tail[0]) >= self.half:
                self.dropped += len(self.tail[0])
                self.tail_len -= len(self.tail.popleft())

    def text(self) -> str:
        with self.lock:
            head, tail = "".join(self.head), "".join(self.tail)
        dropped = self.dropped + max(len(tail) - self.half, 0)
        tail = tail[-self.half:] if len(tail) > self.half else tail
        middle = f"\n[... {dropped} characters of output left out ...]\n" if dropped else ""
        return head + middle + tail
