"""`benchmarks/selection_rules.py`: the rules' picks on hand-made candidate lists, and the script's table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import load_script

ROOT = Path(__file__).resolve().parents[2]
rules = load_script("benchmarks/selection_rules.py")


def _row(index: int, code: str, passed: bool, logprob: float | None = -0.5, attempt: int = 1) -> dict:
    return {"attempt": attempt, "index": index, "verdict": "valid", "logprob": logprob, "passed": passed, "same_as": code}


def test_agreement_takes_the_largest_group_and_falls_back_to_greedy():
    rows = [_row(0, "a", False, -0.1), _row(1, "b", True, -0.9), _row(2, "b", True, -0.8), _row(3, "c", False, -0.2)]
    assert rules.agreement(rows)["same_as"] == "b"
    assert rules.agreement([rows[0], rows[1], rows[3]])["index"] == 0  # no two agree: greedy
    assert rules.agreement([rows[1], rows[3]])["index"] == 3  # no greedy among them: the likeliest
    assert rules.agreement_or_logprob([rows[0], rows[1], rows[3]])["index"] == 0  # -0.1 is the likeliest
    assert rules.best_logprob(rows)["index"] == 0
    assert rules.first_valid(rows[1:])["index"] == 1
    assert rules.agreement([]) is None


def test_score_uses_only_the_first_k_candidates_of_the_first_attempt():
    results = [
        # greedy passes; two samples agree on a failing answer: agreement loses this task
        {"task_id": "T/1", "judged": [_row(0, "a", True), _row(1, "b", False), _row(2, "b", False)]},
        # greedy fails; samples 2 and 3 agree on a passing answer (a retry's candidate does not count)
        {"task_id": "T/2", "judged": [_row(0, "a", False), _row(2, "c", True), _row(3, "c", True),
                                      _row(0, "c", True, attempt=2)]},
    ]
    table = {(row["k"], row["rule"]): row for row in rules.score(results, asked=4)}
    assert (table[1, "greedy (first valid)"]["passed"], table[1, "greedy (first valid)"]["ceiling"]) == (1, 1)
    assert table[2, "agreement (select: agree)"]["passed"] == 1  # only a, b at k = 2: no agreement, greedy
    k4 = table[4, "agreement (select: agree)"]
    assert (k4["passed"], k4["ceiling"], k4["lost_vs_greedy"], k4["gained_vs_greedy"]) == (1, 2, ["T/1"], ["T/2"])


def test_the_script_prints_a_row_per_rule_and_k(tmp_path):
    out = tmp_path / "run.json"
    # two candidates an attempt over three attempts: k goes to 2, not to the 6 asked in all
    result = {"task_id": "T/1", "candidates": {"asked": 6}, "first_attempt_asked": 2,
              "judged": [_row(0, "a", True), _row(1, "a", True)]}
    out.write_text(json.dumps({"results": {"auto": [result]}}))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "selection_rules.py"), str(out)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert len(lines) == 1 + 2 * len(rules.RULES)  # the heading's count line, then k = 1 and k = 2
    out.write_text(json.dumps({"results": {"auto": [{"task_id": "T/1"}]}}))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "selection_rules.py"), str(out)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--coverage" in proc.stderr
