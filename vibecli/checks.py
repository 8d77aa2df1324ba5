"""Lint and test commands: run them, and turn what they print into problems a model can act on."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from vibecli.core import VibeError

MAX_FEEDBACK_CHARS = 3000


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


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
    from vibecli import interrupts

    started = time.perf_counter()
    proc = None
    try:
        with interrupts.deferred():  # a signal while it starts must find it started, to stop it
            proc = subprocess.Popen(
                command, shell=True, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, text=True, errors="replace", start_new_session=True,
            )
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        output = f"(stopped after {timeout:.0f} s)"
        return CheckResult(name, command, 124, output, time.perf_counter() - started)
    except OSError as exc:
        if proc is not None:
            _kill(proc)
        raise VibeError(f"cannot run the {name} check `{command}`: {exc.strerror}") from None
    except BaseException:
        if proc is not None:
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


# path:line[:col]: message   (ruff, flake8, pyflakes, mypy, go vet, eslint -f unix, gcc)
_COLON = re.compile(r"^(?:vet: )?(?P<path>[^\s:][^:\n]*?\.[A-Za-z0-9]+):(?P<line>\d+)(?::\d+)?:\s*(?P<msg>.+)$")
# path(line,col): error TS1234: message   (tsc)
_TSC = re.compile(r"^(?P<path>[^\s(][^(\n]*\.[A-Za-z0-9]+)\((?P<line>\d+),\d+\):\s*(?P<msg>.+)$")
# FAILED tests/test_x.py::test_name - AssertionError: ...   (pytest -ra / summary)
_PYTEST = re.compile(r"^(?:FAILED|ERROR) (?P<path>[^\s:]+\.py)(?:::(?P<test>\S+))?(?: - (?P<msg>.+))?$")
# eslint's default "stylish": a file line, then "  12:5  error  message  rule"
_STYLISH = re.compile(r"^\s+(?P<line>\d+):\d+\s+(?:error|warning)\s+(?P<msg>.+?)\s*$")


def parse_problems(output: str, cwd: Path) -> list[Problem]:
    problems: list[Problem] = []
    current_file = None
    for raw in output.splitlines():
        line = raw.rstrip()
        if m := _COLON.match(line) or _TSC.match(line):
            problems.append(Problem(_relative(m.group("path"), cwd), int(m.group("line")), m.group("msg").strip()))
            continue
        if m := _PYTEST.match(line):
            message = " ".join(filter(None, [m.group("test"), m.group("msg")])) or "failed"
            problems.append(Problem(_relative(m.group("path"), cwd), None, message))
            continue
        if line and not line[0].isspace() and Path(cwd, line).is_file():
            current_file = line
            continue
        if current_file and (m := _STYLISH.match(line)):
            problems.append(Problem(_relative(current_file, cwd), int(m.group("line")), m.group("msg")))
    return list(dict.fromkeys(problems))


def _relative(path: str, cwd: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(cwd.resolve()).as_posix()
        except ValueError:
            return path
    return candidate.as_posix().removeprefix("./")
