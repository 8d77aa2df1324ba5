"""`benchmarks/synth_heldout.py`: the held-out draw leaves training prompts out and is reproducible;
the table counts exact answers kind by kind."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import load_script

heldout = load_script("benchmarks/synth_heldout.py")


def _row(kind: str, n: int, size: int = 10) -> dict:
    return {"prompt": f"{kind} prompt {n}" + "x" * size, "answer": "a", "meta": {"kind": kind}}


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_draw_leaves_out_training_prompts_and_long_rows(tmp_path):
    rows = [_row("fix_bug", n) for n in range(6)] + [_row("docstring", n) for n in range(3)]
    rows.append(_row("docstring", 99, size=5000))
    tasks = _write(tmp_path / "tasks.jsonl", rows)
    train = _write(tmp_path / "train.jsonl", rows[:4] + rows[6:8])

    drawn = heldout.draw(tasks, [train], per_kind=3, max_chars=200, seed=5)

    assert [row["meta"]["kind"] for row in drawn] == ["docstring", "fix_bug", "fix_bug"]
    assert {row["prompt"] for row in drawn}.isdisjoint(json.loads(line)["prompt"] for line in train.read_text().splitlines())
    assert drawn == heldout.draw(tasks, [train], per_kind=3, max_chars=200, seed=5)


def test_table_counts_exact_answers_per_kind_and_in_all():
    rows = [_row("a", 0), _row("a", 1), _row("b", 0)]
    verdicts = {
        "none": [{"exact": False, "well_formed": True}, {"exact": True, "well_formed": True},
                 {"exact": False, "well_formed": False}],
        "run/adapter.gguf": [{"exact": True, "well_formed": True}] * 3,
    }
    lines = heldout.table(rows, verdicts)
    cells = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert cells["a"] == ["2", "1", "2"]
    assert cells["b"] == ["1", "0", "1"]
    assert cells["all"] == ["3", "1", "3"]
    assert cells["well-formed"] == ["3", "2", "3"]
