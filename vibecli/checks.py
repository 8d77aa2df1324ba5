"""Lint and test commands: run them, and turn what they print into problems a model can act on."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from vibecli.check_output import Problem, parse_problems
from vibecli.core import VibeError

__all__ = ["CheckResult", "Problem", "parse_problems", "run_check"]

MAX_FEEDBACK_CHARS = 3000


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


def run_check(name: str, command: str, cwd: Path, timeout: float = 600) -> CheckResult:
    """Run one check through the shell, in its own process group so an interrupt stops all of it."""
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(
            command, shell=True, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, text=True, errors="replace", start_new_session=True,
        )
    except OSError as exc:
        raise VibeError(f"cannot run the {name} check `{command}`: {exc.strerror}") from None
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        output = f"(stopped after {timeout:.0f} s)"
        return CheckResult(name, command, 124, output, time.perf_counter() - started)
    except BaseException:
        _kill(proc)
        raise
    result = CheckResult(name, command, proc.returncode, output, time.perf_counter() - started)
    if not result.passed:
        result.problems = parse_problems(output, cwd)
    return result


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
