"""`vibecli data synth`: verified tasks from several real sources, rendered exactly as `vibecli
edit` prompts the model, with the data set's summary."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import edit_replay, git, run_cli
from data.archives import make_wheel
from vibecli.data.answers import answer_gives

FIXTURE = Path(__file__).parent / "fixtures" / "shapes"
RICHER = ('from collections import defaultdict\n\n\n'
          'def group(words):\n    """Group the words by their first letter."""\n    groups = defaultdict(list)\n'
          '    for word in words:\n        groups[word[0]].append(word)\n    return groups\n\n\n'
          'def describe(name, count):\n    text = f"{name}: {count}"\n    return text.strip()\n')


def _synth(tmp_path, *args: str) -> tuple[list[dict], dict]:
    out = tmp_path / "tasks.jsonl"
    result = run_cli("data", "synth", "--out", str(out), "--json", "--summary", str(tmp_path / "summary.json"), *args)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in out.read_text().splitlines()], result.json


def test_tasks_come_from_several_sources_with_package_version_licence_and_origin(tmp_path):
    wheel = make_wheel(tmp_path, "words", "2.0", files={"words/core.py": RICHER}, License_Expression="Apache-2.0")
    left_out = make_wheel(tmp_path, "copyleft", "1.0", files={"copyleft/m.py": RICHER}, License_Expression="GPL-3.0-only")
    rows, summary = _synth(tmp_path, "--from", str(wheel), "--from", str(FIXTURE), "--from", str(left_out))
    packages = {p["name"]: p for p in summary["packages"]}
    assert packages["words"]["tasks"] > 0 and packages["shapes"]["tasks"] > 0
    assert packages["copyleft"]["tasks"] == 0 and not packages["copyleft"]["permissive"]
    assert {r["meta"]["package"] for r in rows} == {"words", "shapes"}
    for row in rows:
        meta = row["meta"]
        assert meta["licence"] in ("Apache-2.0", "MIT") and meta["version"] in ("2.0", "unknown")
        assert meta["origin"].rsplit(":", 1)[1].isdigit() and meta["style"] in ("terse", "descriptive")
        assert meta["format"] in ("whole", "symbol") and meta["requested_format"] == "auto"
        assert row["prompt"].endswith("### Answer:\n") and row["answer"].endswith("@@ done")
    assert summary["tasks"] == len(rows) and sum(summary["by_kind"].values()) == len(rows)
    assert len(summary["by_kind"]) >= 30


def test_a_row_is_exactly_the_prompt_vibecli_edit_renders_and_its_answer_lands(repo, tmp_path):
    rows, _ = _synth(tmp_path, "--from", str(FIXTURE), "--kinds", "list_comprehension")
    row = rows[0]
    path = row["prompt"].rsplit("### File: ", 1)[1].split("\n", 1)[0]
    before = row["prompt"].rsplit("```python\n", 1)[1].rsplit("```", 1)[0]
    git(repo, "rm", "-q", "greet.py")
    (repo / path).write_text(before)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "task")
    instruction = row["prompt"].rsplit("### Request: ", 1)[1].split("\n", 1)[0]
    result = edit_replay(tmp_path, instruction, path, answers=(row["answer"],))
    assert result.exit_code == 0, result.stdout + result.stderr
    exported = tmp_path / "exported.jsonl"
    assert run_cli("data", "export", "--out", str(exported)).exit_code == 0
    (logged,) = [json.loads(line) for line in exported.read_text().splitlines()]
    assert logged["prompt"] == row["prompt"] and logged["answer"] == row["answer"]
    landed = (repo / path).read_text()
    assert "result = [value for value in values if value > 0]" in landed and ".append(" not in landed


def test_all_formats_are_written_beside_the_default_and_every_answer_verifies(tmp_path):
    rows, summary = _synth(tmp_path, "--from", str(FIXTURE), "--all-formats", "--kinds", "rename_across_files,enumerate,add_test")
    by_format = {fmt: [json.loads(line) for line in (tmp_path / f"tasks.{fmt}.jsonl").read_text().splitlines()]
                 for fmt in ("symbol", "search", "whole")}
    assert all(len(rows) == len(made) for made in by_format.values())
    assert summary["files_per_task"].get("2", 0) >= 2  # the multi-file kinds
    for fmt, made in by_format.items():
        for row in made:
            assert row["meta"]["format"] == fmt and row["meta"]["requested_format"] == fmt
            assert ("@@ rewrite" in row["prompt"]) == (fmt != "search")
    for name, output in summary["outputs"].items():
        assert hashlib.sha256(Path(output["path"]).read_bytes()).hexdigest() == output["sha256"]
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["outputs"] == summary["outputs"] and written["tasks"] == summary["tasks"]


def test_rename_and_ruff_routes_are_in_the_meta(tmp_path):
    rows, _ = _synth(tmp_path, "--from", str(FIXTURE), "--kinds", "rename_function,fstring_format")
    renames = [r for r in rows if r["meta"]["kind"] == "rename_function"]
    assert renames and all(len(r["meta"]["rename"]) == 2 and r["meta"]["rename"][1] in r["answer"] for r in renames)
    routed = [r for r in rows if r["meta"]["kind"] == "fstring_format"]
    assert routed and all(r["meta"]["ruff_rules"] == ["UP032"] and r["meta"]["ruff_unsafe"] is False for r in routed)


def test_small_changes_to_big_files_are_left_out(tmp_path):
    _, loose = _synth(tmp_path, "--from", str(FIXTURE), "--min-change", "0")
    _, strict = _synth(tmp_path, "--from", str(FIXTURE), "--min-change", "0.3")
    assert strict["small_change_dropped"] > loose["small_change_dropped"] == 0
    assert strict["tasks"] < loose["tasks"]


def test_other_languages_in_a_folder_get_renames_and_comparisons(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "util.js").write_text(
        "function clampValue(x, lo, hi) {\n  if (x < lo) {\n    return lo;\n  }\n  return Math.min(x, hi);\n}\n")
    (tmp_path / "src" / "LICENSE").write_text("Permission is hereby granted, free of charge, to any person\n")
    rows, summary = _synth(tmp_path, "--from", str(tmp_path / "src"))
    assert summary["by_kind"] == {"comparison": 1, "rename": 1}
    for row in rows:
        assert row["answer"].startswith("@@ rewrite util.js\n```javascript\nfunction clampValue(")


def test_bad_arguments_are_one_line_errors(tmp_path):
    assert run_cli("data", "synth", "--from", str(tmp_path / "nope")).exit_code == 1
    assert run_cli("data", "synth", "--from", str(FIXTURE), "--kinds", "bogus").exit_code == 2
    assert run_cli("data", "synth", "--from", str(FIXTURE), "--format", "diff").exit_code == 2
    assert run_cli("data", "synth", "--from", str(FIXTURE), "--all-formats").exit_code == 2
    assert run_cli("data", "synth", "--from", str(FIXTURE), "--eval-data", str(tmp_path / "none.jsonl")).exit_code == 2


def test_the_kinds_command_lists_every_kind():
    result = run_cli("data", "kinds", "--json")
    assert result.exit_code == 0
    kinds = {k["kind"]: k for k in result.json["kinds"]}
    assert len(kinds) >= 30 and kinds["fstring_format"]["ruff_rules"] == ["UP032"]


def test_a_verified_answer_gives_the_after_files_and_a_tampered_one_does_not(tmp_path):
    rows, _ = _synth(tmp_path, "--from", str(FIXTURE), "--kinds", "dict_get", "--format", "whole")
    (row,) = rows
    before = {"inventory.py": row["prompt"].rsplit("```python\n", 1)[1].rsplit("```", 1)[0]}
    after = {"inventory.py": row["answer"].split("```python\n", 1)[1].rsplit("```", 1)[0]}
    assert answer_gives(before, after, row["answer"], "whole")
    assert not answer_gives(before, after, row["answer"].replace("prices.get(name, 0)", "prices.get(name, 1)"), "whole")


def test_without_libcst_synth_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "libcst", None)
    result = run_cli("data", "synth", "--from", str(FIXTURE))
    assert result.exit_code == 1 and "pip install 'vibecli[data]'" in result.stderr
