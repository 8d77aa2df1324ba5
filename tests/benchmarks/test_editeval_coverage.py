"""`benchmarks/editeval.py --coverage` on a tiny EditEval-shaped file, with scripted candidates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INPUT = "def bump(x):\n    return x"


def _answer(body: str) -> str:
    return f"@@ rewrite code.py\n```python\ndef bump(x):\n    return {body}\n```\n@@ done"


def test_coverage_judges_every_candidate_against_the_hidden_test(tmp_path, vibecli_home):
    tasks = [{"task_id": f"Fake/{n}", "instruction": "make bump add something", "context": "", "input": INPUT,
              "output": "", "test": f"def check():\n    assert bump(1) == {1 + n}\n"} for n in (1, 2)]
    data = tmp_path / "fake.jsonl"
    data.write_text("".join(json.dumps(t) + "\n" for t in tasks))
    replay = tmp_path / "replay.jsonl"  # every task's run reads it from the start: the same two candidates
    replay.write_text(json.dumps({"candidates": [_answer("x + 1"), _answer("x + 2")]}) + "\n")
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "editeval.py"), "--data", str(data), "--formats", "whole",
         "--coverage", "--out", str(out), "--", "--backend", "replay", "--replay-file", str(replay),
         "--candidates", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home), "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())["results"]["whole"]
    # no two candidates agree: the greedy one (x + 1) is written, which passes only the first task
    assert [r["passed"] for r in results] == [True, False]
    assert [r["any_passed"] for r in results] == [True, True]
    assert [r["candidates_passed"] for r in results] == [1, 1]
    assert results[0]["candidates"]["asked"] == 2 and results[0]["first_attempt_asked"] == 2
    assert [r["passed_indices"] for r in results] == [[0], [1]]  # greedy passes the first, sample 1 the second
    summary = json.loads(out.read_text())["summaries"][0]
    assert (summary["passed"], summary["coverage"], summary["selection_share_of_ceiling"]) == (1, 2, 0.5)
    assert summary["coverage_at"] == {"1": 1, "2": 2}  # the greedy candidate alone, then both
    # every valid candidate is kept with its verdict and a digest of its code, for scoring other rules
    judged = results[1]["judged"]
    assert [(row["index"], row["passed"]) for row in judged] == [(0, False), (1, True)]
    assert judged[0]["same_as"] != judged[1]["same_as"]
    assert results[0]["judged"][0]["same_as"] == judged[0]["same_as"]  # the same code in both tasks
