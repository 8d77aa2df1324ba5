"""`vibecli data synth`: edit tasks from real code (the installed Python's standard library)."""

from __future__ import annotations

import json
import sysconfig
from pathlib import Path

from conftest import run_cli
from vibecli.data.py_transforms import PY_TRANSFORMS
from vibecli.data.synth import Task, tasks_from, verify
from vibecli.edits.envelope import parse_envelope

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def test_every_python_kind_comes_out_of_the_standard_library_with_a_verified_answer():
    tasks = list(tasks_from(STDLIB / "json"))
    tasks += list(tasks_from(STDLIB / "logging"))
    kinds = {t.kind for t in tasks}
    assert {"docstring", "comparison", "rename", "default", "error_handling", "guard", "fix_bug", "add_function"} <= kinds
    for task in tasks:
        assert verify(task)
        edits = parse_envelope(task.answer)
        assert len(edits) == 1 and edits[0].op == ("append" if task.kind == "add_function" else "replace")
        assert edits[0].path == task.path
        assert task.before != task.after


def test_a_docstring_task_asks_for_the_docstring_the_code_had(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text('def double(x):\n    """Twice x."""\n    y = x * 2\n    return y\n')
    (task,) = [t for t in tasks_from(source) if t.kind == "docstring"]
    assert task.instruction == "Add a docstring to double."
    assert '"""' not in task.before
    assert task.answer == '@@ replace mod.py double\n```python\ndef double(x):\n    """Twice x."""\n    y = x * 2\n    return y\n```\n@@ done'


def test_a_bug_task_plants_one_behavioural_bug_and_asks_by_what_the_function_should_do(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text('def positive(values):\n    """Return the values above zero."""\n    return [v for v in values if v > 0]\n')
    (task,) = [t for t in tasks_from(source) if t.kind == "fix_bug"]
    assert task.after == source.read_text()
    changed = [(a, b) for a, b in zip(task.before.splitlines(), task.after.splitlines()) if a != b]
    assert len(changed) == 1
    before_line, after_line = changed[0]
    assert "v > 0" in after_line and ("v <= 0" in before_line or "v > 1" in before_line)
    assert task.instruction in ("Fix the bug in positive.", "Fix bugs.", "positive does not work as intended; fix it.",
                                "Fix the bug in positive. What it should do: return the values above zero.",
                                "Fix positive; it has to return the values above zero.")


def test_an_add_function_task_asks_for_a_function_by_its_signature_and_docstring(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text('import math\n\n\ndef area(r):\n    return math.pi * r * r\n\n\n'
                      'def scaled(values, factor=2):\n    """Return each value times factor."""\n    out = [v * factor for v in values]\n    return out\n')
    (task,) = [t for t in tasks_from(source) if t.kind == "add_function"]
    assert task.instruction == "Add a function `scaled(values, factor=2)` to return each value times factor."
    assert "scaled" not in task.before and task.before.startswith("import math\n")
    assert task.after.endswith('def scaled(values, factor=2):\n    """Return each value times factor."""\n'
                               '    out = [v * factor for v in values]\n    return out\n')
    assert verify(task)


def test_javascript_gets_renames_and_comparisons(tmp_path):
    source = tmp_path / "util.js"
    source.write_text(
        "function clampValue(x, lo, hi) {\n  if (x < lo) {\n    return lo;\n  }\n  return Math.min(x, hi);\n}\n"
    )
    tasks = {t.kind: t for t in tasks_from(source)}
    assert set(tasks) == {"comparison", "rename"}
    assert "x >= lo" in tasks["comparison"].before
    assert "clamp_value" in tasks["rename"].before
    assert tasks["rename"].answer.startswith("@@ replace util.js clamp_value\n```javascript\nfunction clampValue(")


def test_a_wrong_answer_does_not_verify(tmp_path):
    task = Task("x", "python", "m.py", "def f():\n    return 1\n", "def f():\n    return 2\n", "i",
                "@@ replace m.py f\n```python\ndef f():\n    return 3\n```\n@@ done", "here")
    assert not verify(task)


def test_the_command_writes_prompts_and_answers(tmp_path):
    out = tmp_path / "tasks.jsonl"
    result = run_cli("data", "synth", "--from", str(STDLIB / "json"), "--limit", "5", "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json["tasks"] == 5
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 5
    for row in rows:
        assert row["prompt"].endswith("### Answer:\n")
        assert "=== Task" in row["prompt"]
        assert row["answer"].endswith("@@ done")
        assert row["meta"]["source"] == "synth"


def test_bad_arguments_are_usage_errors(tmp_path):
    assert run_cli("data", "synth", "--from", str(tmp_path / "nope")).exit_code == 1
    assert run_cli("data", "synth", "--from", str(STDLIB / "json"), "--kinds", "bogus").exit_code == 2
    assert set(PY_TRANSFORMS) >= {"docstring", "rename"}


def test_a_task_file_starts_with_the_imports_its_code_uses(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text(
        "import os\nimport re\nfrom math import sqrt, pi\n\n\n"
        "def norm(x, y):\n    \"\"\"Length of (x, y).\"\"\"\n    return sqrt(x * x + y * y)\n"
    )
    (task,) = [t for t in tasks_from(source) if t.kind == "docstring"]
    assert task.before.startswith("from math import sqrt\n\n\ndef norm(x, y):\n")
    assert task.after.startswith("from math import sqrt\n\n\ndef norm(x, y):\n")
    assert verify(task)


def test_auto_answers_a_small_file_with_the_whole_file_as_vibecli_edit_would_ask(tmp_path):
    from vibecli.conversation import SMALL_FILE_LINES, resolve_format
    from vibecli.data.synth import _memory_file, answer_in
    from vibecli.edits.apply import apply_edits

    out = tmp_path / "tasks.jsonl"
    result = run_cli("data", "synth", "--from", str(STDLIB / "json"), "--limit", "4", "--format", "auto",
                     "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert row["meta"]["format"] == "whole"
        assert row["answer"].startswith("@@ rewrite ")
        assert "@@ rewrite" in row["prompt"] and "@@ replace" not in row["prompt"]  # the whole-file prompt
    for task in list(tasks_from(STDLIB / "json", limit=6)):
        assert task.before.count("\n") <= SMALL_FILE_LINES
        assert resolve_format("auto", {task.path: _memory_file(task.path, task.before)}) == "whole"
        shown, answer = answer_in(task, "auto")
        assert shown == "whole"
        (change,) = apply_edits(parse_envelope(answer), {task.path: _memory_file(task.path, task.before)}, {})
        assert change.new_text.rstrip("\n") == task.after.rstrip("\n")
        assert answer_in(task, "symbol") == ("symbol", task.answer)
    assert run_cli("data", "synth", "--from", str(STDLIB / "json"), "--format", "search").exit_code == 2
