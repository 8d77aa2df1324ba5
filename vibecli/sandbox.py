"""The project's checks on each candidate alone, in a copy of the work tree of its own.

A candidate never sees another's files, and the user's tree is touched only by the one chosen.
The copy holds what the checks would see in the user's tree less what git ignores (tracked
files, and untracked ones that are not ignored), with the candidate's files written over it.
Candidates are tried in order, two at a time (this machine's cores); the first that passes wins.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from vibecli.checks import CheckResult, parse_problems, run_check
from vibecli.selection import Survivor

AT_ONCE = 2
"""Candidates whose checks run at the same time."""


@dataclass
class Trial:
    """A candidate's checks, run in its own copy."""

    survivor: Survivor
    results: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def failures(self, commands: int) -> tuple[int, int]:
        """(checks that failed or never ran, problems reported): fewer is closer to passing."""
        ran_ok = sum(r.passed for r in self.results)
        return commands - ran_ok, sum(max(len(r.problems), 1) for r in self.results if not r.passed)


def try_in_copies(root: Path, files: list[str], survivors: list[Survivor], commands: list[tuple[str, str]],
                  timeout: float, on_trial: Callable[[Trial], None]) -> list[Trial]:
    """Run `commands` on each survivor (in the order given) in a copy of `files` under `root`, two at
    a time, until one passes; every trial run, in order (the passing one, if any, last)."""
    stop = threading.Event()
    trials: list[Trial] = []
    with tempfile.TemporaryDirectory(prefix="vibecli-candidates-") as base, ThreadPoolExecutor(AT_ONCE) as pool:
        try:
            for start in range(0, len(survivors), AT_ONCE):
                window = survivors[start:start + AT_ONCE]
                futures = [pool.submit(_trial, root, files, s, Path(base) / f"c{start + i}", commands, timeout, stop)
                           for i, s in enumerate(window)]
                for future in futures:
                    trial = future.result()
                    trials.append(trial)
                    on_trial(trial)
                    if trial.passed:
                        stop.set()  # the other one in the window comes later in the order: not needed
                        return trials
        except BaseException:
            stop.set()  # an interrupt here ends the checks running in the other threads too
            raise
    return trials


def _trial(root: Path, files: list[str], survivor: Survivor, folder: Path, commands: list[tuple[str, str]],
           timeout: float, stop: threading.Event) -> Trial:
    trial = Trial(survivor)
    folder.mkdir()
    _copy(root, files, folder)
    problem = _write(survivor, folder)
    if problem:
        trial.results.append(CheckResult("copy", "", 1, problem, 0.0))
        return trial
    for name, command in commands:
        if stop.is_set():
            break
        result = _scrubbed(run_check(name, command, folder, timeout, stop), folder)
        trial.results.append(result)
        if not result.passed:
            break  # the tests of code that does not lint are not worth their time
    return trial


def _copy(root: Path, files: list[str], folder: Path) -> None:
    for relpath in files:
        source, target = root / relpath, folder / relpath
        try:
            if source.is_symlink():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(os.readlink(source), target)
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        except OSError:
            continue  # a file that went away, or cannot be read: the checks see it missing


def _write(survivor: Survivor, folder: Path) -> str | None:
    """Write the candidate's files into its copy; why it cannot be, or None."""
    inside = folder.resolve()
    for change in survivor.changes:
        target = folder / change.relpath
        if target.is_symlink():
            target.unlink()  # written in place of the link, as vibecli writes the user's files
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(inside):
            return f"{change.relpath} lies behind a link that leaves the repository; it was not tried"
        target.write_bytes(change.source.encode(change.new_text))
    return None


def _scrubbed(result: CheckResult, folder: Path) -> CheckResult:
    """The result as if the check had run in the repository: the copy's path left out of its output."""
    output = result.output
    for path in dict.fromkeys((str(folder.resolve()), str(folder))):
        output = output.replace(path + os.sep, "").replace(path, ".")
    result.output = output
    if not result.passed:
        result.problems = parse_problems(output, folder)
    return result
