"""The ledger entry of an adapter and the shipping rule: +5 EditEval tasks over the adapter in
effect on the whole set, and no worse on held-out synthetic tasks; anything missing is a no."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from vibecli.train.ledger import SHIP_MARGIN, data_digest, kind_mix, markdown_row, verdict

HELD_SAME = {"examples": 30, "base_exact": 4, "adapter_exact": 4}


def figures(passed: int, tasks: int = 191) -> dict:
    return {"tasks": tasks, "passed": passed}


def test_five_more_tasks_and_no_worse_held_out_ships():
    result = verdict(figures(8 + SHIP_MARGIN), figures(8), HELD_SAME, complete=True)
    assert result.ships and "13 against 8" in result.reason


def test_four_more_tasks_do_not_ship():
    result = verdict(figures(8 + SHIP_MARGIN - 1), figures(8), HELD_SAME, complete=True)
    assert not result.ships and "+4" in result.reason


def test_worse_on_the_held_out_set_does_not_ship_however_many_tasks_it_passes():
    held = {"examples": 30, "base_exact": 5, "adapter_exact": 4}
    result = verdict(figures(40), figures(8), held, complete=True)
    assert not result.ships and "held-out" in result.reason


def test_a_sample_missing_figures_or_no_held_out_set_never_ships():
    assert not verdict(figures(30, tasks=40), figures(2, tasks=40), HELD_SAME, complete=False).ships
    assert not verdict(None, figures(2), HELD_SAME, complete=True).ships
    assert not verdict(figures(30), None, HELD_SAME, complete=True).ships
    no_held = verdict(figures(30), figures(2), None, complete=True)
    assert not no_held.ships and "--holdout 0" in no_held.reason


def test_the_data_digest_and_kind_mix_describe_the_rows_not_their_meta():
    rows = [{"prompt": "p", "answer": "a", "meta": {"kind": "guard"}},
            {"prompt": "q", "answer": "b", "meta": {"kind": "fix_bug"}},
            {"prompt": "r", "answer": "c", "meta": {"kind": "fix_bug"}}]
    same = [dict(row, meta={"kind": "other", "origin": "elsewhere"}) for row in rows]
    assert data_digest(rows) == data_digest(same) != data_digest(rows[::-1])
    assert kind_mix(rows) == {"fix_bug": 2, "guard": 1}
    assert kind_mix([{"prompt": "p", "answer": "a", "meta": {"source": "logbook"}}]) == {"logbook": 1}


RECORD = {
    "adapter": "/home/u/adapters/20261206-1200/adapter.gguf", "date": "2026-12-06",
    "base": {"file": "gemma-3-270m-q4_k_m.gguf", "sha256": "ab" * 32},
    "data": {"sha256": "cd" * 32, "rows": 20000, "held_out": 2000, "trained_examples": 17500, "skipped_long": 500,
             "pairs": 0, "kinds": {"fix_bug": 9000, "guard|odd": 11000}},
    "settings": {"rank": 16, "alpha": 32.0, "full": False, "lr": 0.0002, "batch": 8, "unlikelihood": 0.0},
    "steps": 2200, "tokens": 15_800_000, "seconds": 36000.0, "device": "cpu", "processes": 1,
    "editeval": {"tasks": 191, "passed": 14, "pass_at_1": 0.0733, "well_formed_share": 0.9, "landed": 150,
                 "no_change": 12, "rejected": 20},
    "verdict": {"ships": True, "reason": "passes 14 against 8 (+6), and 30 against 28 held-out answers"},
}


def test_a_ledger_entry_is_one_markdown_row_with_every_column():
    row = markdown_row(RECORD)
    cells = [c.strip() for c in row.strip("|").split(" | ")]
    assert len(cells) == 11
    assert cells[0] == "20261206-1200/adapter.gguf" and cells[5] == "14/191"
    assert "guard\\|odd 11000" in cells[2]  # a pipe in a kind name cannot break the table
    assert cells[4] == "2200, 15800k, 600 min on cpu"
    assert cells[6:10] == ["90.0%", "150", "12", "20"] and cells[10].startswith("passes 14")


def test_the_script_prints_the_row_from_a_run_folder(tmp_path):
    (tmp_path / "ledger.json").write_text(json.dumps(RECORD))
    script = Path(__file__).resolve().parents[2] / "scripts" / "ledger_row.py"
    proc = subprocess.run([sys.executable, str(script), "--header", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("| adapter |") and lines[2] == markdown_row(RECORD)
    missing = subprocess.run([sys.executable, str(script), str(tmp_path / "nope.json")], capture_output=True, text=True)
    assert missing.returncode == 1 and "nope.json" in missing.stderr


def test_a_limit_counts_as_the_whole_set_only_when_it_ran_every_task(tmp_path):
    from vibecli.cli.train_eval import whole_set

    tasks = tmp_path / "editeval.jsonl"
    tasks.write_text("".join(json.dumps({"task_id": f"T/{i}"}) + "\n" for i in range(5)) + "\n")
    assert whole_set(5, 0, tasks)  # no --eval-limit
    assert whole_set(5, 5, tasks) and whole_set(5, 200, tasks)  # a limit at or above the set's size
    assert not whole_set(4, 4, tasks)  # a sample
    assert not whole_set(5, 5, None) and not whole_set(5, 5, tmp_path / "none.jsonl")
