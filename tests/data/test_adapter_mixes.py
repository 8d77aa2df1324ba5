"""scripts/adapter_data.py, which draws the ledger's training sets: caps by package, repeats dropped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "adapter_data.py"


mixes = load_script("scripts/adapter_data.py")


def _row(prompt: str, kind: str, package: str | None, origin: str, answer: str = "a") -> dict:
    meta = {"kind": kind, "origin": origin}
    if package is not None:
        meta["package"] = package
    return {"prompt": prompt, "answer": answer, "meta": meta}


def test_a_package_is_told_by_its_name_not_by_a_folder_called_algorithms():
    caps, key = mixes.MIXES["8"], mixes.cap_key
    assert key(_row("p", "fix_bug", "algorithms", "algorithms/math/gcd.py:17"), caps) == "fix_bug@algorithms"
    # networkx keeps its graph algorithms in networkx/algorithms/: not the `algorithms` package
    assert key(_row("p", "fix_bug", "networkx", "networkx/algorithms/community/louvain.py:335"), caps) == "fix_bug@stdlib"
    # the former synth named no package, only the file it cut the task from
    assert key(_row("p", "fix_bug", None, "/tmp/algo/algorithms/sort/merge.py:3"), caps) == "fix_bug@algorithms"


def test_several_sources_are_drawn_once_each_prompt_and_within_the_caps(tmp_path):
    first, second, out = tmp_path / "algo0.jsonl", tmp_path / "algo1.jsonl", tmp_path / "train.jsonl"
    algo = [_row(f"bug {i}", "fix_bug", "algorithms", f"algorithms/x{i}.py:1") for i in range(3)]
    first.write_text("".join(json.dumps(row) + "\n" for row in algo), encoding="utf-8")
    again = [_row("bug 0", "fix_bug", "algorithms", "algorithms/x0.py:1", answer="another answer"),
             _row("check", "validate_input", "attrs", "attrs/_make.py:9"),
             _row("too long", "validate_input", "attrs", "attrs/_make.py:9", answer="x" * 4000),
             _row("not in the mix", "type_hints", "attrs", "attrs/_make.py:9")]
    second.write_text("".join(json.dumps(row) + "\n" for row in again), encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCRIPT), str(first), str(second), str(out), "--mix", "8"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    kept = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["prompt"] for row in kept) == ["bug 0", "bug 1", "bug 2", "check"]
    assert next(row for row in kept if row["prompt"] == "bug 0")["answer"] == "a"  # the first source's
    assert "4 tasks" in result.stdout
