"""Which of an attempt's distinct valid results is written: the first (greedy, then by mean
log-probability) that passes the checks in a copy of its own; without checks, the one most
candidates agree on (`select: agree`) or the greedy one (`select: greedy`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vibecli.run_record import RunRecord
from vibecli.sandbox import Trial, try_in_copies
from vibecli.selection import Survivor, agreement, ordered


@dataclass
class Tally:
    """Of the run's selections, for the report: results compared and checked, and the last choice."""

    distinct: int = 0
    checked: int = 0
    passed: int = 0
    winner: dict | None = None
    why: str = ""


class Chooser:
    def __init__(self, settings, root: Path, files, run: RunRecord, progress):
        self.settings = settings
        self.root = root
        self.files = files
        """Callable: the work tree's files a copy holds."""
        self.run = run
        self.progress = progress
        self.tally = Tally()

    def choose(self, survivors: list[Survivor], commands: list[tuple[str, str]]) -> tuple[Survivor, Trial | None]:
        """The survivor to write, and its trial when the checks ran on it in a copy (a failed trial:
        no candidate passed, and this one came closest)."""
        first = ordered(survivors)
        trial = None
        if len(first) == 1:
            winner, why = first[0], "the only valid result" if self.settings.candidates > 1 else ""
        elif commands:
            winner, trial, why = self._by_checks(first, commands)
        elif self.settings.select == "agree":
            winner, why = agreement(first)
        else:
            winner, why = first[0], "select: greedy (the first in order)"
        if self.settings.candidates > 1:
            self._record(survivors, winner, why)
        return winner, trial

    def _by_checks(self, first: list[Survivor], commands: list[tuple[str, str]]) -> tuple[Survivor, Trial, str]:
        self.progress.phase(f"Checking {len(first)} candidates, each in a copy of the work tree")

        def seen(trial: Trial) -> None:
            for row in trial.survivor.rows:
                row.verdict = "passed" if trial.passed else "failed"
                row.reason = "" if trial.passed else "\n\n".join(r.feedback(600) for r in trial.results if not r.passed)
            self.progress.event("candidate_checked", attempt=trial.survivor.rows[0].attempt,
                                index=trial.survivor.index, passed=trial.passed,
                                checks=[{"name": r.name, "exit_code": r.exit_code} for r in trial.results])

        trials = try_in_copies(self.root, self.files(), first, commands, self.settings.check_timeout, seen)
        self.tally.checked += len(trials)
        self.tally.passed += sum(t.passed for t in trials)
        if trials[-1].passed:
            place = first.index(trials[-1].survivor) + 1
            return trials[-1].survivor, trials[-1], f"the first in order to pass the checks ({place} of {len(first)})"
        best = min(trials, key=lambda t: t.failures(len(commands)))
        return best.survivor, best, f"none of {len(trials)} passed the checks: the one with the fewest failures"

    def _record(self, survivors: list[Survivor], winner: Survivor, why: str) -> None:
        attempt = winner.rows[0].attempt
        rows = [r for r in self.run.candidates if r.attempt == attempt]
        for row in winner.rows:
            if row.verdict in ("valid", "passed"):
                row.verdict = "chosen"
        tally = self.tally
        tally.distinct += len(survivors)
        tally.winner = {"attempt": attempt, "index": winner.index}
        tally.why = why
        self.progress.event("candidates", attempt=attempt, asked=len(rows),
                            valid=sum(r.verdict not in ("invalid", "refused") for r in rows),
                            distinct=len(survivors), winner=winner.index, why=why)

    def report(self) -> dict | None:
        """The report's `candidates` over every attempt, or None when one answer was asked for at a time."""
        if self.settings.candidates <= 1:
            return None
        rows = self.run.candidates
        tally = self.tally
        return {"asked": len(rows), "valid": sum(r.verdict not in ("invalid", "refused") for r in rows),
                "distinct": tally.distinct, "checked": tally.checked, "passed": tally.passed,
                "winner": tally.winner, "why": tally.why, "list": [r.to_json() for r in rows]}
