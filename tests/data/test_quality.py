"""The data set stays clean: no task shares a line with EditEval, and no task comes twice."""

from __future__ import annotations

import json

from vibecli.data.build import Options, build
from vibecli.data.quality import Dedup, eval_lines, shared_lines
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "shapes"
BODY = "    result = [value for value in values if value > 0]"


def _eval_file(tmp_path, *lines: str) -> Path:
    path = tmp_path / "editeval.jsonl"
    rows = [{"task_id": "EditEval/0", "instruction": "x", "input": "\n".join(lines), "output": "def g():\n    return 1\n"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_eval_lines_are_the_long_stripped_lines_of_inputs_and_outputs(tmp_path):
    lines = eval_lines(_eval_file(tmp_path, "def f(values):", BODY, "    return result"))
    assert lines == {BODY.strip()}  # the others are shorter than 20 characters


def test_a_line_shared_with_editeval_is_found_but_an_import_line_is_not_counted():
    forbidden = {BODY.strip(), "from typing import List, Dict"}
    assert shared_lines(["def f():\n" + BODY + "\n"], forbidden) == [BODY.strip()]
    assert shared_lines(["from typing import List, Dict\n"], forbidden) == []


def _build(tmp_path, **options) -> tuple[list[dict], object]:
    rows: list[dict] = []
    summary = build([str(FIXTURE)], Options(kinds={"list_comprehension", "comprehension_to_loop", "docstring"}, **options),
                    lambda fmt, row: rows.append(row))
    return rows, summary


def test_a_task_that_shares_a_line_with_editeval_is_dropped_and_counted(tmp_path):
    from vibecli.data.build import read_eval_lines

    clean, summary = _build(tmp_path)
    assert summary.overlap_dropped == 0 and any(r["meta"]["kind"] == "list_comprehension" for r in clean)
    dirty, summary = _build(tmp_path, eval_lines=read_eval_lines(_eval_file(tmp_path, BODY)))
    assert summary.overlap_dropped >= 2  # both comprehension directions show that line
    assert not any(BODY.strip() in r["prompt"] + r["answer"] for r in dirty)
    assert len(dirty) == len(clean) - summary.overlap_dropped


def test_exact_and_near_duplicates_are_dropped_within_a_kind_only():
    dedup = Dedup()
    text = " ".join(f"word{i}" for i in range(200))
    assert not dedup.seen("docstring", text)
    assert dedup.seen("docstring", text)  # exact
    assert dedup.seen("docstring", text.replace("word7 ", "other7 "))  # near: one word of 200 differs
    assert not dedup.seen("type_hints", text + " extra")  # another kind may show the same code
    assert not dedup.seen("docstring", " ".join(f"term{i}" for i in range(200)))
    assert (dedup.exact_dropped, dedup.near_dropped) == (1, 1)


def test_the_check_script_passes_synth_rows_and_fails_a_tampered_or_contaminated_one(tmp_path):
    import subprocess
    import sys

    rows, _ = _build(tmp_path)
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in rows))
    bad = tmp_path / "bad.jsonl"
    tampered = dict(rows[0], answer=rows[0]["answer"].replace("```python\n", "```python\ndef (:\n", 1))
    bad.write_text(json.dumps(tampered) + "\n")
    script = Path(__file__).resolve().parents[2] / "scripts" / "check_data.py"
    eval_file = _eval_file(tmp_path, "nothing shared with the rows here at all")

    def check(path: Path, eval_path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), str(path), "--eval-data", str(eval_path)],
                              capture_output=True, text=True)

    assert check(good, eval_file).returncode == 0
    assert check(bad, eval_file).returncode == 1
    assert check(good, _eval_file(tmp_path, BODY)).returncode == 1
